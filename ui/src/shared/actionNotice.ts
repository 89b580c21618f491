// What a screen says when asked (from the palette) for an action it cannot
// carry out as things are: why, and what to do first.
import { notifications } from '@mantine/notifications';

export function showActionUnavailable(message: string) {
  notifications.show({ color: 'orange', title: 'Not possible right now', message, autoClose: 5000 });
}
