// What the widgets read and change, through the dashboards' and the alerts'
// api modules (the only places that call commands): the metrics for the
// config forms, acknowledging and resolving alerts, and saving an export.
import type { WidgetExport } from '../../../bindings';
import { useAcknowledgeAlert, useResolveAlert } from '../../alerts/api';
import { metricsQuery, saveWidgetExport } from '../api';

export { metricsQuery, useAcknowledgeAlert, useResolveAlert };

const PNG_PREFIX = /^data:image\/png;base64,/;

/** The export payload of CSV text or a PNG data URL. */
export function exportContent(content: { csv: string } | { pngDataUrl: string }): WidgetExport {
  if ('csv' in content) return { kind: 'text', text: content.csv };
  if (!PNG_PREFIX.test(content.pngDataUrl)) throw new Error('The picture is not a PNG data URL.');
  return { kind: 'base64', data: content.pngDataUrl.replace(PNG_PREFIX, '') };
}

/** Saves text or a PNG data URL through commands.saveWidgetExport; returns the written path. */
export async function saveExport(fileName: string, content: { csv: string } | { pngDataUrl: string }): Promise<string> {
  return saveWidgetExport(fileName, exportContent(content));
}
