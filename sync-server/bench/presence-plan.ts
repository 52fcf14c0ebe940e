/**
 * Who watches whom in the presence benchmark, decided up front from a seed so every server sees
 * the same load. The workspace has `members`; the first `pool` of them are the people who come
 * and go during the run (`online` of them at a time), the rest never connect. Each online user
 * watches `perWatcher` people, as a sidebar and an open channel would show them:
 *
 * - a fifth from the `popular` most-watched people of the pool (leads, busy channels), picked
 *   with Zipf weights, so the first few are watched by most;
 * - half from their team: teams of `teamSize` consecutive pool members, who are mostly online;
 * - the rest anywhere in the workspace (old DMs, a big channel's member list), mostly offline.
 */
export interface WatchPlanShape {
  members: number;
  pool: number;
  perWatcher: number;
  popular: number;
  teamSize: number;
}

/** For each pool member (by index), the member indexes they watch, without repeats or self. */
export function watchLists(shape: WatchPlanShape, random: () => number): number[][] {
  if (shape.pool > shape.members || shape.popular > shape.pool || shape.teamSize > shape.pool)
    throw new Error('the pool must hold the popular people and a team, the workspace the pool');
  const zipf = Array.from({ length: shape.popular }, (_, rank) => 1 / (rank + 1));
  const zipfTotal = zipf.reduce((sum, weight) => sum + weight, 0);
  const pickPopular = () => {
    let target = random() * zipfTotal;
    for (let rank = 0; rank < zipf.length; rank++) {
      target -= zipf[rank] ?? 0;
      if (target <= 0) return rank;
    }
    return zipf.length - 1;
  };
  const popularCount = Math.round(shape.perWatcher / 5);
  const teamCount = Math.min(Math.round(shape.perWatcher / 2), shape.teamSize - 1);
  return Array.from({ length: shape.pool }, (_, self) => {
    const chosen = new Set<number>([self]);
    const add = (count: number, pick: () => number) => {
      const target = chosen.size + count;
      // Bounded, in case a small source runs out of people not chosen yet.
      for (let tries = 0; chosen.size < target && tries < count * 50; tries++) chosen.add(pick());
    };
    const teamStart = Math.min(
      Math.floor(self / shape.teamSize) * shape.teamSize,
      shape.pool - shape.teamSize,
    );
    add(popularCount, pickPopular);
    add(teamCount, () => teamStart + Math.floor(random() * shape.teamSize));
    add(shape.perWatcher - (chosen.size - 1), () => Math.floor(random() * shape.members));
    chosen.delete(self);
    return [...chosen];
  });
}

/** A wait drawn from an exponential distribution: the gaps of a Poisson process. */
export const exponentialMs = (meanMs: number, random: () => number) =>
  -Math.log(1 - random()) * meanMs;
