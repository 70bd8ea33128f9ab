/**
 * The languages the addon registers (native/lang/registry.cc is the truth; docs/languages.md).
 * Nothing in src/ names a language itself: segment tags, fence aliases and the display names used
 * in messages all come from here.
 */
import { CodeblockError } from '../errors.js';
import { native } from '../native.js';
import type { LanguageInfo } from '../addon.js';
export type { LanguageInfo } from '../addon.js';

let cached: readonly LanguageInfo[] | undefined;

/** Registered languages in detection order (read once per thread from the addon). */
export function registeredLanguages(): readonly LanguageInfo[] {
  cached ??= Object.freeze(
    native()
      .languages()
      .map((l) => Object.freeze({ ...l, fenceAliases: [...l.fenceAliases] })),
  );
  return cached;
}

let itemized: ReadonlySet<string> | undefined;
/** Segment tags that are itemized code (a registered language that is not host-only). */
export function itemizedLanguages(): ReadonlySet<string> {
  itemized ??= new Set(
    registeredLanguages()
      .filter((l) => !l.hostOnly)
      .map((l) => l.name),
  );
  return itemized;
}

/** `names` (canonical names) without the host-only languages (HTML), whose segments are never itemized. */
export function itemizedOf(names: Iterable<string>): Set<string> {
  const hosts = new Set(
    registeredLanguages()
      .filter((l) => l.hostOnly)
      .map((l) => l.name),
  );
  return new Set([...names].filter((n) => !hosts.has(n)));
}

/** The registered language a segment tag or fence alias names, if any. */
export function findLanguage(tag: string): LanguageInfo | undefined {
  const t = tag.toLowerCase();
  return registeredLanguages().find((l) => l.name === t || l.fenceAliases.includes(t));
}

/** Display names joined for a message: "Python", "Python or Go", "Python, Go or Rust". */
export function languageList(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** Display name of a segment tag (the tag itself when no language registers it). */
export function displayName(tag: string): string {
  return registeredLanguages().find((l) => l.name === tag)?.displayName ?? tag;
}

/**
 * The itemized languages an option names (canonical names or fence aliases, any case), in registry
 * order; an empty list means every registered language. Unknown names throw one error listing the
 * registered ones.
 */
export function resolveLanguages(names: readonly string[] | undefined): string[] {
  const all = registeredLanguages();
  if (!names || names.length === 0) return all.map((l) => l.name);
  const want = new Set<string>();
  for (const n of names) {
    const l = findLanguage(n.trim());
    if (!l) {
      throw new CodeblockError(
        `--languages: "${n}" is not a registered language (registered: ${all.map((x) => x.name).join(', ')})`,
      );
    }
    want.add(l.name);
  }
  return all.filter((l) => want.has(l.name)).map((l) => l.name);
}
