/**
 * Fails when a published package changed without a changeset that names it.
 *
 * What "changed" is compared with (the base), in this order:
 * 1. `CHANGESET_BASE` when set (a CI that builds pull requests sets it to the target branch).
 * 2. On a branch: where it left `main` (`git merge-base HEAD main`, or `origin/main` in a clone
 *    without a local `main`): the branch's own changes must bring their own changesets.
 * 3. On `main` itself (what `.ci/run` sees on a fresh clone): the last release, i.e. the newest
 *    `@taskpulse/<name>@<version>` tag that `changeset publish` creates. `changeset version`
 *    consumes the changesets of a release, so every change since then must have a pending one.
 *    Before the first release there is no tag and the base is the empty tree: every package
 *    change since the first commit must have a pending changeset.
 * A shallow clone is deepened first (the base must be in the history).
 *
 * A changed package is one of `packages/*` (not private) with a changed file matching
 * `changedFilePatterns` in `.changeset/config.json` (what ships: sources, manifest, README; not
 * tests). It passes when a changeset added since the base names it, or when an empty changeset
 * (`pnpm changeset --empty`) was added since the base to say the change needs no release.
 *
 * Run: `node scripts/check-changesets.ts` (exit 1 with the list of packages lacking one).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readChangesets } from '@changesets/read';

const root = path.resolve(import.meta.dirname, '..');
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

function git(...args: string[]): string {
  const options = { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] } as const;
  return execFileSync('git', args, options).trim();
}

function gitOrNull(...args: string[]): string | null {
  try {
    return git(...args);
  } catch {
    return null;
  }
}

function lastReleaseTag(): string | null {
  return gitOrNull('describe', '--tags', '--abbrev=0', '--match', '@taskpulse/*@*', 'HEAD');
}

function findBase(): { base: string; why: string } {
  const fromEnv = process.env.CHANGESET_BASE;
  if (fromEnv) {
    const base = gitOrNull('merge-base', 'HEAD', fromEnv);
    if (!base) throw new Error(`CHANGESET_BASE=${fromEnv} is not a commit in this history`);
    return { base, why: `CHANGESET_BASE=${fromEnv}` };
  }
  const head = git('rev-parse', 'HEAD');
  for (const ref of ['main', 'origin/main']) {
    if (!gitOrNull('rev-parse', '--verify', '--quiet', `${ref}^{commit}`)) continue;
    const base = gitOrNull('merge-base', 'HEAD', ref);
    if (base && base !== head) return { base, why: `where this branch left ${ref}` };
    break;
  }
  const tag = lastReleaseTag();
  if (tag) return { base: git('rev-list', '-n', '1', tag), why: `the last release, ${tag}` };
  return { base: EMPTY_TREE, why: 'nothing released yet: every change since the first commit' };
}

interface Config {
  changedFilePatterns?: string[];
}

/** changesets' own reading of `changedFilePatterns`: a match, unless a later `!` pattern excludes it */
function matches(file: string, patterns: string[]): boolean {
  let passed = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (passed && path.matchesGlob(file, pattern.slice(1))) passed = false;
    } else if (!passed && path.matchesGlob(file, pattern)) passed = true;
  }
  return passed;
}

function publishedPackages(): { name: string; dir: string }[] {
  const dirs = readdirSync(path.join(root, 'packages'));
  return dirs.flatMap((dir) => {
    const manifest = path.join(root, 'packages', dir, 'package.json');
    if (!existsSync(manifest)) return [];
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; private?: boolean };
    return pkg.private ? [] : [{ name: pkg.name, dir: `packages/${dir}/` }];
  });
}

if (gitOrNull('rev-parse', '--is-shallow-repository') === 'true') {
  execFileSync('git', ['fetch', '--unshallow', '--tags', '--quiet'], {
    cwd: root,
    stdio: 'inherit',
  });
}

const config = JSON.parse(
  readFileSync(path.join(root, '.changeset/config.json'), 'utf8'),
) as Config;
const patterns = config.changedFilePatterns ?? ['**'];
const { base, why } = findBase();

// committed changes plus what the working tree adds (so it also answers before a commit)
const changedFiles = new Set(
  [
    ...git('diff', '--name-only', '--no-renames', base).split('\n'),
    ...git('ls-files', '--others', '--exclude-standard').split('\n'),
  ].filter(Boolean),
);

const atBase = new Set(
  git('ls-tree', '-r', '--name-only', base, '--', '.changeset/')
    .split('\n')
    .filter(Boolean)
    .map((file) => path.basename(file, '.md')),
);
const added = (await readChangesets(root)).filter((changeset) => !atBase.has(changeset.id));
const named = new Set(added.flatMap((changeset) => changeset.releases.map((r) => r.name)));
const emptyChangeset = added.find((changeset) => changeset.releases.length === 0);

const lacking: { name: string; files: string[] }[] = [];
for (const pkg of publishedPackages()) {
  const files = [...changedFiles]
    .filter((file) => file.startsWith(pkg.dir))
    .map((file) => file.slice(pkg.dir.length))
    .filter((file) => matches(file, patterns));
  if (files.length > 0 && !named.has(pkg.name) && !emptyChangeset) {
    lacking.push({ name: pkg.name, files });
  }
}

const shortBase = base === EMPTY_TREE ? 'the empty tree' : base.slice(0, 12);
if (lacking.length > 0) {
  console.error(`Changed without a changeset since ${shortBase} (${why}):`);
  for (const { name, files } of lacking) {
    const shown = files.slice(0, 5).join(', ');
    const more = files.length > 5 ? ` and ${files.length - 5} more` : '';
    console.error(`- ${name}: ${shown}${more}`);
  }
  console.error(
    'Run `pnpm changeset` and name these packages, or `pnpm changeset --empty` if no release is needed.',
  );
  process.exit(1);
}
console.log(
  `Changesets: every changed published package has one (since ${shortBase}, ${why}; ${added.length} new).`,
);
