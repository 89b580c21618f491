// Test environment setup: jest-dom matchers, the browser APIs Mantine and the
// virtualizer need that jsdom lacks, and Tauri mock cleanup.
import '@testing-library/jest-dom/vitest';
import { notifications } from '@mantine/notifications';
import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { TREE_VIEWPORT_HEIGHT, TREE_VIEWPORT_WIDTH } from './layout';

// window.matchMedia (Mantine color scheme / media queries).
if (!window.matchMedia) {
  Object.defineProperty(window, 'matchMedia', {
    configurable: true,
    writable: true,
    value: (query: string): MediaQueryList => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }),
  });
}

// ResizeObserver (Mantine ScrollArea, the virtualizer).
if (!('ResizeObserver' in window)) {
  class ResizeObserverStub {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  Object.defineProperty(window, 'ResizeObserver', { configurable: true, writable: true, value: ResizeObserverStub });
  Object.defineProperty(globalThis, 'ResizeObserver', { configurable: true, writable: true, value: ResizeObserverStub });
}

// Element.scrollIntoView (Mantine combobox and friends).
if (!Element.prototype.scrollIntoView) {
  Element.prototype.scrollIntoView = function scrollIntoView() {};
}

// Element.scrollTo: jsdom has none; the virtualizer scrolls with it. Apply the
// offset and fire a scroll event like a browser would.
if (!Element.prototype.scrollTo) {
  Element.prototype.scrollTo = function scrollTo(this: Element, arg?: ScrollToOptions | number, y?: number) {
    const top = typeof arg === 'number' ? y : arg?.top;
    const left = typeof arg === 'number' ? arg : arg?.left;
    if (typeof top === 'number') this.scrollTop = top;
    if (typeof left === 'number') this.scrollLeft = left;
    this.dispatchEvent(new Event('scroll'));
  } as Element['scrollTo'];
}

// jsdom does no layout, so every element measures 0x0 and the virtualizer
// would render no rows. Give the tree viewport a fixed size.
const sizeOf = (el: HTMLElement, axis: 'width' | 'height'): number =>
  el.getAttribute('role') === 'tree' ? (axis === 'height' ? TREE_VIEWPORT_HEIGHT : TREE_VIEWPORT_WIDTH) : 0;
Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
  configurable: true,
  get(this: HTMLElement) {
    return sizeOf(this, 'height');
  },
});
Object.defineProperty(HTMLElement.prototype, 'clientWidth', {
  configurable: true,
  get(this: HTMLElement) {
    return sizeOf(this, 'width');
  },
});
Object.defineProperty(HTMLElement.prototype, 'offsetHeight', {
  configurable: true,
  get(this: HTMLElement) {
    return sizeOf(this, 'height');
  },
});
Object.defineProperty(HTMLElement.prototype, 'offsetWidth', {
  configurable: true,
  get(this: HTMLElement) {
    return sizeOf(this, 'width');
  },
});

// scrollHeight of the tree viewport: the height of its (absolutely sized) canvas.
Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
  configurable: true,
  get(this: HTMLElement) {
    if (this.getAttribute('role') !== 'tree') return 0;
    const canvas = this.firstElementChild as HTMLElement | null;
    const content = canvas ? Number.parseFloat(canvas.style.height) || 0 : 0;
    return Math.max(content, TREE_VIEWPORT_HEIGHT);
  },
});

afterEach(async () => {
  cleanup();
  notifications.clean();
  delete window.__ecoMetrics;
  // What the app keeps for the next start (theme, the workspace of each
  // database) must not carry over from one test to the next.
  window.localStorage.clear();
  // Let unmount effects (event unlisten promises) settle before the Tauri
  // internals they call into are removed.
  await new Promise((resolve) => setTimeout(resolve, 0));
  clearMocks();
});
