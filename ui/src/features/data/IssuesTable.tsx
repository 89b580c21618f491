import { Table, Text } from '@mantine/core';
import type { ImportIssue } from '../../bindings';

/** Where an issue is: "File" for the file as a whole (line 0 or none), else its line. */
export function issueLine(issue: ImportIssue): string {
  return issue.line === null || issue.line === 0 ? 'File' : String(issue.line);
}

/** The problems of a file or a run by line: what a person goes and fixes. */
export function IssuesTable({ issues, caption, testId }: { issues: readonly ImportIssue[]; caption: string; testId: string }) {
  return (
    <Table withTableBorder striped verticalSpacing={4} fz="sm" data-testid={testId}>
      <Table.Caption>{caption}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={80}>Line</Table.Th>
          <Table.Th w={180}>Column</Table.Th>
          <Table.Th>Problem</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {issues.map((issue, index) => (
          <Table.Tr key={`${issue.line ?? 0}-${issue.column ?? ''}-${index}`} data-testid={`${testId}-line-${issue.line ?? 0}`}>
            <Table.Td>
              <Text size="sm" fw={600} c="var(--eco-danger-text)">
                {issueLine(issue)}
              </Text>
            </Table.Td>
            <Table.Td>{issue.column ?? ''}</Table.Td>
            <Table.Td>{issue.message}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
