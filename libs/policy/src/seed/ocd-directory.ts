import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inferLevel, isOcdId, parseOcdId, type RegisterJurisdiction } from '../domain';

/** The OCD files shipped with the project, in libs/policy/data/ocd (CC0, see its README). */
export const OCD_FILES = ['states.csv', 'us_territories.csv', 'us_federal_courts.csv', 'us_census_places.csv'] as const;

/** A row the directory leaves out, and why: the loader reports these instead of failing. */
export interface UnplacedRow {
  file: string;
  line: number;
  id: string;
  reason: string;
}

export interface OcdDirectory {
  /** Parents before children: sorted by depth, so the country, then states/DC/territories, … */
  commands: RegisterJurisdiction[];
  unplaced: UnplacedRow[];
}

/**
 * The repository root: the nearest folder above `from` holding package.json. Walking up
 * works alike from src/ (Jest, ts) and from dist/ (compiled), which sit at different depths.
 */
export function findRepoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** libs/policy/data/ocd: beside the code (src, or dist when the build copied it), else in the repository. */
export function defaultOcdDir(): string {
  const beside = join(__dirname, '../../data/ocd');
  return existsSync(join(beside, OCD_FILES[0])) ? beside : join(findRepoRoot(), 'libs/policy/data/ocd');
}

/**
 * Reads the OCD US division files into RegisterJurisdiction commands. Rows whose level the
 * domain cannot infer (or whose id or name is unusable) are returned in `unplaced`.
 * `filter` keeps only the ids it accepts (tests load a slice).
 */
export function readOcdDirectory(options: { dir?: string; filter?: (id: string) => boolean } = {}): OcdDirectory {
  const dir = options.dir ?? defaultOcdDir();
  const commands: RegisterJurisdiction[] = [];
  const unplaced: UnplacedRow[] = [];
  const seen = new Set<string>();

  for (const file of OCD_FILES) {
    const rows = parseCsv(readFileSync(join(dir, file), 'utf8'));
    // states.csv and us_federal_courts.csv have no header row; the others start with `id,…`.
    const start = rows[0]?.[0] === 'id' ? 1 : 0;
    for (let i = start; i < rows.length; i++) {
      const [rawId = '', rawName = ''] = rows[i];
      const id = rawId.trim().normalize('NFC'); // ids are compared as exact strings
      const name = rawName.trim();
      if (id === '' || (options.filter && !options.filter(id))) continue;
      const skip = (reason: string) => unplaced.push({ file, line: i + 1, id, reason });
      if (!isOcdId(id)) skip('not a valid OCD division id');
      else if (seen.has(id)) skip('listed twice');
      else if (name === '') skip('no name');
      else if (!inferLevel(id)) skip(`level of "${parseOcdId(id)!.at(-1)!.type}" divisions cannot be inferred`);
      else {
        seen.add(id);
        commands.push({ type: 'RegisterJurisdiction', data: { id, name } });
      }
    }
  }
  // A parent's path is a prefix of its child's, so fewer segments = earlier. The sort is
  // stable: within a depth, file order stays.
  const depth = (c: RegisterJurisdiction) => c.data.id.split('/').length;
  commands.sort((a, b) => depth(a) - depth(b));
  return { commands, unplaced };
}

/**
 * RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes (the OCD names
 * do: "Islamorada, Village of Islands village"). Accepts LF or CRLF and a leading BOM.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[i++];
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') endRow();
    else if (c === '\r' && text[i + 1] === '\n') continue;
    else field += c;
  }
  if (quoted) throw new Error('CSV ends inside a quoted field');
  if (field !== '' || row.length) endRow(); // last line without a newline
  return rows;
}
