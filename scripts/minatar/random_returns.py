"""Random-policy returns of MinAtar itself, for bench/results/minatar-random.md to set ours beside.

As MinAtar's examples/random_play.py: its Environment with default settings (sticky actions
0.1, ramping), actions uniform over all six, episodes played to termination; here seeded
(RandomState(seed) for the game, random.Random(seed) for the actions) so it can be rerun.

    python3 scripts/minatar/random_returns.py /path/to/MinAtar > bench/results/minatar-random-python.json
"""
import json
import random
import sys

EPISODES = {"asterix": 1000, "breakout": 1000, "freeway": 100, "seaquest": 1000, "space_invaders": 1000}


def main():
    sys.path.insert(0, sys.argv[1])
    import numpy as np
    from minatar import Environment

    out = {"recordedWith": "MinAtar 1.0.15 (4241f24), scripts/minatar/random_returns.py", "seed": 0, "games": {}}
    for game, n in EPISODES.items():
        env = Environment(game)
        env.seed(0)
        policy = random.Random(0)
        returns = []
        for _ in range(n):
            env.reset()
            g, done = 0.0, False
            while not done:
                r, done = env.act(policy.randrange(6))
                g += r
            returns.append(g)
        out["games"][game] = {"episodes": n, "mean": float(np.mean(returns)), "stderr": float(np.std(returns) / np.sqrt(n))}
        print(game, out["games"][game], file=sys.stderr)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
