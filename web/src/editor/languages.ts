/** Monaco language ids this app registers (syntax colouring only; no language workers). */
export type EditorLanguage =
  'ini' | 'shell' | 'javascript' | 'json' | 'yaml' | 'markdown' | 'xml' | 'plaintext';

const BY_EXTENSION: Record<string, EditorLanguage> = {
  properties: 'ini',
  cfg: 'ini',
  conf: 'ini',
  ini: 'ini',
  sh: 'shell',
  bash: 'shell',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  json: 'json',
  yaml: 'yaml',
  yml: 'yaml',
  md: 'markdown',
  xml: 'xml',
};

/** The syntax to colour a file with, chosen by its extension. */
export function languageFor(path: string): EditorLanguage {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  // Shell start-up files have no extension but are shell scripts.
  if (name === '.bashrc' || name === '.profile' || name === '.bash_profile') return 'shell';
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return 'plaintext';
  return BY_EXTENSION[name.slice(dot + 1)] ?? 'plaintext';
}
