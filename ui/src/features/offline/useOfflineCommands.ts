// The offline commands of the palette (Ctrl+K): keep the selected subtree on
// this computer, and review the edits in conflict.
import { IconArrowsDiff, IconCloudDownload } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { PaletteCommand } from '../palette';
import { offlineOverviewQuery } from './api';
import { conflictsSentence } from './offlineModel';
import { useOfflineActions } from './OfflineProvider';

/** The palette's offline commands, for the entity selected in the tree (null: none). */
export function useOfflineCommands(selectedId: string | null): PaletteCommand[] {
  const { makeAvailable, openReview } = useOfflineActions();
  const overview = useQuery(offlineOverviewQuery());
  const conflicts = overview.data?.status.conflicts ?? 0;
  return useMemo(
    () => [
      {
        id: 'offline-make-available',
        title: 'Make selected available offline',
        description: 'Keep the selected entity and everything under it on this computer',
        keywords: 'offline download keep cache subtree selected available disconnected',
        icon: IconCloudDownload,
        disabledReason: selectedId === null ? 'Select an entity in the tree first' : null,
        run: () => {
          if (selectedId !== null) makeAvailable({ id: selectedId, name: null });
        },
      },
      {
        id: 'offline-review',
        title: 'Review offline conflicts',
        description: conflicts > 0 ? conflictsSentence(conflicts) : 'Edits made offline that met a change on the server (none now)',
        keywords: 'offline conflicts review outbox edits resolve keep theirs mine',
        icon: IconArrowsDiff,
        disabledReason: null,
        run: openReview,
      },
    ],
    [selectedId, conflicts, makeAvailable, openReview],
  );
}
