// Whether this window can draw on a canvas (jsdom cannot): charts then use
// the canvas renderer and can export a PNG; otherwise SVG and no PNG.
import { useEffect, useRef } from 'react';

let supported: boolean | null = null;

export function canvasSupported(): boolean {
  if (supported === null) {
    try {
      supported = typeof document !== 'undefined' && document.createElement('canvas').getContext('2d') !== null;
    } catch {
      supported = false;
    }
  }
  return supported;
}

/**
 * Registers `exporter` with the dashboard while the widget is shown (and
 * clears it on unmount). The latest `exporter` is always the one called.
 */
export function usePngExporter(setPngExporter: (fn: (() => string | null) | null) => void, exporter: () => string | null) {
  const latest = useRef(exporter);
  useEffect(() => {
    latest.current = exporter;
  });
  useEffect(() => {
    setPngExporter(() => latest.current());
    return () => setPngExporter(null);
  }, [setPngExporter]);
}
