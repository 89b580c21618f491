import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { fetchWidgetData } from './api';
import { maxPointsFor, type WidgetInputs } from './dashboardModel';

/**
 * One widget's data, cached under the key of the inputs it depends on. The
 * points per line follow the widget's width at the time of each fetch (the
 * width is not part of the key: resizing does not refetch). While new inputs
 * load, the previous data stays shown.
 */
export function useWidgetData(inputs: WidgetInputs, width: number, refetchInterval: number | false, enabled = true) {
  const maxPoints = useRef(maxPointsFor(width));
  useEffect(() => {
    maxPoints.current = maxPointsFor(width);
  }, [width]);
  return useQuery({
    queryKey: inputs.key,
    queryFn: () => fetchWidgetData({ config: inputs.config, variables: inputs.variables, filters: inputs.filters, maxPoints: maxPoints.current }),
    refetchInterval: enabled ? refetchInterval : false,
    enabled,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
}

/** Whether the window is shown (not minimised or in a hidden tab). */
export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => typeof document === 'undefined' || document.visibilityState === 'visible');
  useEffect(() => {
    const update = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return visible;
}

/**
 * Whether the element has come near the visible part of the page (once
 * true, it stays so): widgets below the fold fetch and draw when scrolled
 * to, so opening a dashboard of many widgets paints what is in view first.
 * Without IntersectionObserver (tests), everything counts as seen.
 */
export function useSeen<T extends Element>(): [(node: T | null) => void, boolean] {
  const [seen, setSeen] = useState(() => typeof IntersectionObserver === 'undefined');
  const observer = useRef<IntersectionObserver | null>(null);
  const ref = useCallback(
    (node: T | null) => {
      observer.current?.disconnect();
      observer.current = null;
      if (node === null || seen || typeof IntersectionObserver === 'undefined') return;
      observer.current = new IntersectionObserver(
        (entries) => {
          if (entries.some((e) => e.isIntersecting)) {
            setSeen(true);
            observer.current?.disconnect();
          }
        },
        { rootMargin: '200px 0px' },
      );
      observer.current.observe(node);
    },
    [seen],
  );
  useEffect(() => () => observer.current?.disconnect(), []);
  return [ref, seen];
}
