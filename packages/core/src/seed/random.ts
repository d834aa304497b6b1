import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { v7 as uuidv7 } from 'uuid';

/** A seeded source of randomness, so that the same seed gives the same data. */
export interface SeededRandom {
  /** An integer in [from, to]. */
  int(from: number, to: number): number;
  /** A float in [0, 1). */
  float(): number;
  /** One of `items`. */
  pick<T>(items: readonly T[]): T;
  /** A UUIDv7 whose timestamp is `at`, with seeded random bits. */
  uuid(at: Date): string;
}

/** Creates a {@link SeededRandom} from an integer seed. */
export function seededRandom(seed: number): SeededRandom {
  const rng = xoroshiro128plus(seed);
  const int = (from: number, to: number) => uniformInt(rng, from, to);
  return {
    int,
    float: () => uniformFloat64(rng),
    pick: <T>(items: readonly T[]) => items[int(0, items.length - 1)] as T,
    uuid: (at) =>
      uuidv7({
        msecs: at.getTime(),
        random: Uint8Array.from({ length: 16 }, () => int(0, 255)),
      }),
  };
}
