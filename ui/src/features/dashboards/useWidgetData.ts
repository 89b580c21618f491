import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { fetchWidgetData } from './api';
import { maxPointsFor, type WidgetInputs } from './dashboardModel';

/**
 * One widget's data, cached under the key of the inputs it depends on. The
 * points per line follow the widget's width at the time of each fetch (the
 * width is not part of the key: resizing does not refetch). While new inputs
 * load, the previous data stays shown.
 */
export function useWidgetData(inputs: WidgetInputs, width: number, refetchInterval: number | false) {
  const maxPoints = useRef(maxPointsFor(width));
  useEffect(() => {
    maxPoints.current = maxPointsFor(width);
  }, [width]);
  return useQuery({
    queryKey: inputs.key,
    queryFn: () => fetchWidgetData({ config: inputs.config, variables: inputs.variables, filters: inputs.filters, maxPoints: maxPoints.current }),
    refetchInterval,
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
