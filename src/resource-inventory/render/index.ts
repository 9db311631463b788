/** Plan renderers: text (terminal), JSON (CI artefact, docs/plan-json.md), Markdown (MR comment). */
export { renderText } from './text.js';
export type { TextOptions } from './text.js';
export { renderJson, planToJson } from './json.js';
export { DEFAULT_MARKDOWN_MAX_BYTES, renderMarkdown } from './markdown.js';
export type { MarkdownOptions } from './markdown.js';
export { maskChange, maskObject } from './mask.js';
export { toYaml, unifiedDiff } from './patch.js';
