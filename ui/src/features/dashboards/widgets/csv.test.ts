import { describe, expect, it } from 'vitest';
import type { Alert, SeriesResult, ViewRow } from '../../../bindings';
import { alertsCsv, csvCell, csvText, groupsCsv, kpiCsv, seriesCsv, tableCsv, treemapCsv } from './csv';

describe('csvCell', () => {
  it('leaves plain text and numbers as they are', () => {
    expect(csvCell('Hall A')).toBe('Hall A');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(-3.5)).toBe('-3.5');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(true)).toBe('true');
  });

  it('quotes commas, quotes and line breaks, doubling the quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
  });

  it('puts a single quote before text a spreadsheet would run as a formula', () => {
    expect(csvCell('=SUM(A1:A2)')).toBe("'=SUM(A1:A2)");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes the header first and ends every line', () => {
    expect(csvText(['a', 'b'], [[1, 'x'], [null, 'y,z']])).toBe('a,b\n1,x\n,"y,z"\n');
  });
});

describe('the CSV of each widget', () => {
  it('kpi: label, value, previous', () => {
    const csv = kpiCsv(
      { type: 'kpi', value: 12, previous: null, unit: 'kW' },
      { type: 'kpi', source: { kind: 'view', viewId: null, measure: { op: 'sum', property: 'power' } }, compare: false },
    );
    expect(csv).toBe('label,value,previous\nSum of power,12,\n');
  });

  it('groups: label, value', () => {
    expect(groupsCsv([{ label: '=evil', value: 3, filter: null }, { label: 'none', value: null, filter: null }])).toBe(
      "label,value\n'=evil,3\nnone,\n",
    );
  });

  it('series: a row per point of each line', () => {
    const series: SeriesResult = {
      metric: 'power',
      bucketSeconds: 3600,
      source: 'samples',
      from: '2025-01-01T00:00:00Z',
      to: '2025-01-01T02:00:00Z',
      lines: [
        {
          label: 'Pump, north',
          entityId: 'e1',
          unit: 'kW',
          series: 1,
          points: [
            { t: '2025-01-01T00:00:00Z', value: 1.5, min: 1, max: 2, n: 4 },
            { t: '2025-01-01T01:00:00Z', value: null, min: null, max: null, n: 0 },
          ],
        },
      ],
    };
    expect(seriesCsv(series)).toBe(
      'time,line,value,min,max,n\n2025-01-01T00:00:00Z,"Pump, north",1.5,1,2,4\n2025-01-01T01:00:00Z,"Pump, north",,,,0\n',
    );
  });

  it('table: the columns, properties by key', () => {
    const row: ViewRow = {
      id: 'e1',
      name: 'Pump 1',
      pathLabel: 'site.pump_1',
      entityTypeId: 'type-pump',
      parentId: null,
      properties: { pressure: 2.5, tags: ['a', 'b'], note: '-bad' },
      updatedAt: '2025-01-01T00:00:00Z',
    };
    expect(tableCsv([row], ['name', 'pathLabel', 'type', 'updatedAt', 'property:pressure', 'property:tags', 'property:note', 'property:missing'])).toBe(
      "name,path,type,updated,pressure,tags,note,missing\nPump 1,site.pump_1,type-pump,2025-01-01T00:00:00Z,2.5,a; b,'-bad,\n",
    );
  });

  it('alerts: level, status, entity, path, message, raised', () => {
    const alert = {
      id: 'a1',
      entityName: 'Pump 1',
      entityPathLabel: 'site.pump_1',
      level: 'critical',
      status: 'pending',
      message: 'Pressure "high"',
      raisedAt: '2025-01-01T00:00:00Z',
    } as Alert;
    expect(alertsCsv([alert])).toBe('level,status,entity,path,message,raised\ncritical,pending,Pump 1,site.pump_1,"Pressure ""high""",2025-01-01T00:00:00Z\n');
  });

  it('treemap: name, parent name, count', () => {
    expect(
      treemapCsv([
        { id: 's', parentId: null, name: 'Site', count: 10 },
        { id: 'h', parentId: 's', name: 'Hall', count: 4 },
        { id: 'x', parentId: 'gone', name: 'Orphan', count: 1 },
      ]),
    ).toBe('name,parent,count\nSite,,10\nHall,Site,4\nOrphan,,1\n');
  });
});
