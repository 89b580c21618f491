/** Size the test setup gives the tree viewport (jsdom does no layout). */
export const TREE_VIEWPORT_HEIGHT = 560;
export const TREE_VIEWPORT_WIDTH = 360;
