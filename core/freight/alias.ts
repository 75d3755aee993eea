/**
 * Human-friendly Freight aliases, `<adjective>-<animal>`, like the names Kargo picks with
 * `technosophos/moniker`. Randomness is passed in (core/ is deterministic): inside a workflow
 * pass a seeded generator, in tests a fixed sequence. Also the rule every alias follows, picked or given.
 */
import { isLabelName, MAX_LABEL_NAME_LENGTH } from '../label-selector.js';

export const ALIAS_ADJECTIVES: readonly string[] = [
  'agile', 'amber', 'ancient', 'bold', 'brave', 'bright', 'brisk', 'calm', 'clever', 'cosmic',
  'crimson', 'curious', 'daring', 'dashing', 'eager', 'early', 'electric', 'fancy', 'fearless', 'fierce',
  'gentle', 'giddy', 'golden', 'graceful', 'happy', 'hasty', 'honest', 'humble', 'icy', 'jolly',
  'kind', 'lively', 'lucky', 'mellow', 'merry', 'mighty', 'misty', 'nimble', 'noble', 'odd',
  'patient', 'plucky', 'polite', 'proud', 'quick', 'quiet', 'rapid', 'rosy', 'rusty', 'shiny',
  'silent', 'sleepy', 'snowy', 'steady', 'sunny', 'swift', 'tidy', 'vivid', 'witty', 'zesty',
];

export const ALIAS_ANIMALS: readonly string[] = [
  'alpaca', 'badger', 'beaver', 'bison', 'bobcat', 'buffalo', 'camel', 'cheetah', 'chipmunk', 'cobra',
  'condor', 'cougar', 'coyote', 'crane', 'dingo', 'dolphin', 'donkey', 'eagle', 'falcon', 'ferret',
  'finch', 'fox', 'gazelle', 'gecko', 'gibbon', 'giraffe', 'gopher', 'hamster', 'hedgehog', 'heron',
  'ibex', 'iguana', 'jackal', 'jaguar', 'kangaroo', 'koala', 'lemur', 'leopard', 'lizard', 'llama',
  'lynx', 'marmot', 'meerkat', 'moose', 'narwhal', 'ocelot', 'otter', 'owl', 'panda', 'pelican',
  'penguin', 'puffin', 'quokka', 'rabbit', 'raccoon', 'raven', 'salmon', 'seal', 'tapir', 'walrus',
  'weasel', 'wombat', 'yak', 'zebra',
];

const MAX_RANDOM_TRIES = 100;

function pick(words: readonly string[], random: () => number): string {
  const r = random();
  const index = Math.min(words.length - 1, Math.max(0, Math.floor(r * words.length)));
  return words[index] ?? words[0] ?? 'freight';
}

/**
 * Picks an alias not in `taken`: up to 100 random `<adjective>-<animal>` draws, then the last
 * draw with a numeric suffix (`-2`, `-3`, …) until unused. Deterministic for a given
 * `random` sequence.
 */
export function freightAlias(random: () => number, taken: ReadonlySet<string>): string {
  let candidate = '';
  for (let i = 0; i < MAX_RANDOM_TRIES; i++) {
    candidate = `${pick(ALIAS_ADJECTIVES, random)}-${pick(ALIAS_ANIMALS, random)}`;
    if (!taken.has(candidate)) return candidate;
  }
  for (let n = 2; ; n++) {
    const suffixed = `${candidate}-${n}`;
    if (!taken.has(suffixed)) return suffixed;
  }
}

/**
 * Why `alias` cannot be a freight's alias, or undefined. Kargo keeps it in the
 * `kargo.akuity.io/alias` label: it is a label value, and not an empty one.
 */
export function aliasProblem(alias: string): string | undefined {
  if (alias === '') return 'must not be empty';
  if (alias.length > MAX_LABEL_NAME_LENGTH) return `must be at most ${MAX_LABEL_NAME_LENGTH} characters`;
  if (!isLabelName(alias)) return `${JSON.stringify(alias)} is not a valid alias: use letters, digits, '-', '_' and '.'`;
  return undefined;
}
