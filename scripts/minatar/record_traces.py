"""Records the MinAtar conformance traces that src/envs/minatar/minatar.test.ts replays.

Runs MinAtar itself (https://github.com/kenjyoung/MinAtar, version 1.0.15, commit 4241f24), as
its Gymnasium -v1 envs do: minimal action sets, sticky actions p = 0.1, difficulty ramping,
`reset(seed=...)` reseeding the one RandomState the game and the sticky actions share, later
resets unseeded. Actions come from Python's `random.Random(1000 + seed)`, uniform over the minimal set (one Freeway
trace presses up 4 times in 5, so that it scores).
The traces are written gzipped, one file a game. Every step records the action, reward, terminal flag and the observation as the flat indices
(row * 10 + column) * channels + channel of its set cells.

    python3 scripts/minatar/record_traces.py /path/to/MinAtar src/envs/minatar/traces
"""
import copy
import gzip
import json
import os
import random
import sys

GAMES = ["asterix", "breakout", "freeway", "seaquest", "space_invaders"]
SEEDS = [0, 7]
# Random actions never get Freeway's chicken across: one more trace presses up 4 times in 5.
UP_TRACE = {"freeway": (3, 0.8)}
# Freeway ends after 2500 frames: its traces run past one end.
STEPS = {"asterix": 1500, "breakout": 1500, "freeway": 2600, "seaquest": 1500, "space_invaders": 1500}


def seaquest_policy(game, rnd):
    """Reads the game's state to rescue divers and surface, so the trace reaches oxygen bonuses and the ramp."""
    if rnd.random() < 0.15:
        return rnd.randrange(6)
    if game.diver_count >= 6 or (game.diver_count >= 1 and game.oxygen < 70) or (game.diver_count >= 1 and rnd.random() < 0.02):
        return 2
    if game.sub_y == 0:
        return 4
    if game.divers:
        d = min(game.divers, key=lambda d: abs(d[0] - game.sub_x) + abs(d[1] - game.sub_y))
        if d[1] != game.sub_y:
            return 2 if d[1] < game.sub_y else 4
        if d[0] != game.sub_x:
            return 1 if d[0] < game.sub_x else 3
    return 5 if rnd.random() < 0.5 else rnd.choice([1, 3, 2, 4])


def breakout_policy(game, rnd):
    """Looks ahead on a copy of the game (Breakout's frames draw nothing) to keep the paddle under the ball: the
    trace then clears the wall, refills it and hits the rare cases random play misses."""
    ahead = copy.deepcopy(game)
    for _ in range(40):
        if ahead.ball_y == 8 and ahead.ball_dir in (2, 3):
            break
        ahead.act(0)
    if rnd.random() < 0.02:
        return rnd.randrange(3)
    return 0 if ahead.ball_x == game.pos else (1 if ahead.ball_x < game.pos else 2)


# Random play never surfaces with divers in Seaquest, nor clears Breakout's wall: one more trace
# each follows a scripted policy that reads the game's state (returning a minimal-set index).
SCRIPTED = {"seaquest": (5, 6000, seaquest_policy), "breakout": (1, 8000, breakout_policy)}


def record_scripted(Environment, game, seed, steps, policy):
    env = Environment(game, sticky_action_prob=0.1, difficulty_ramping=True)
    env.seed(seed)
    env.reset()
    rnd = random.Random(seed)
    actions = env.minimal_action_set()
    out, episodes, ramp = [], 1, 0
    for _ in range(steps):
        a = policy(env.env, rnd)
        reward, terminal = env.act(actions[a])
        ramp = max(ramp, env.env.difficulty_ramp() or 0)
        out.append({"a": a, "r": float(reward), "t": bool(terminal), "on": [int(i) for i in env.state().reshape(-1).nonzero()[0]]})
        if terminal:
            env.reset()
            episodes += 1
    return {"game": game, "seed": seed, "channels": int(env.state().shape[2]), "minimalActionSet": [int(a) for a in env.minimal_action_set()], "episodesStarted": episodes, "maxRamp": ramp, "steps": out}


def record(Environment, game, seed, up=0.0):
    env = Environment(game, sticky_action_prob=0.1, difficulty_ramping=True)
    actions = env.minimal_action_set()
    env.seed(seed)
    env.reset()
    policy = random.Random(1000 + seed)
    steps = []
    episodes = 1
    for _ in range(STEPS[game]):
        k = policy.randrange(len(actions))
        if up > 0:
            k = actions.index(2) if policy.random() < up else k
        reward, terminal = env.act(actions[k])
        obs = env.state().reshape(-1)
        steps.append({"a": k, "r": float(reward), "t": bool(terminal), "on": [int(i) for i in obs.nonzero()[0]]})
        if terminal:
            env.reset()
            episodes += 1
    first = env.state()
    return {"game": game, "seed": seed, "channels": int(first.shape[2]), "minimalActionSet": [int(a) for a in actions], "episodesStarted": episodes, "steps": steps}


def main():
    src, out = sys.argv[1], sys.argv[2]
    sys.path.insert(0, src)
    from minatar import Environment

    os.makedirs(out, exist_ok=True)
    for game in GAMES:
        traces = [record(Environment, game, s) for s in SEEDS]
        if game in UP_TRACE:
            traces.append(record(Environment, game, *UP_TRACE[game]))
        if game in SCRIPTED:
            traces.append(record_scripted(Environment, game, *SCRIPTED[game]))
        with gzip.open(os.path.join(out, f"{game}.json.gz"), "wt") as f:
            json.dump({"recordedWith": "MinAtar 1.0.15 (4241f24), scripts/minatar/record_traces.py", "traces": traces}, f, separators=(",", ":"))
        print(game, [t["episodesStarted"] for t in traces], "episodes")


if __name__ == "__main__":
    main()
