/**
 * The CLI's commands and options. Each command's module is imported when the command runs, and
 * the built-in envs (MuJoCo's runtime among them) only by commands that step an env, so
 * `serve`, `annotators`, `export` and `import` start without them.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { AnnotatorsFlags } from './annotators.js';
import { ALGOS, BUILTIN_ENV_IDS } from './choices.js';
import type { EvalFlags } from './eval.js';
import type { ExportFlags, ImportFlags } from './exchange.js';
import type { GridworldsReportFlags, GridworldsShowFlags } from './gridworlds.js';
import type { SophistryFlags } from './oversight.js';
import type { AssistFlags } from './assist.js';
import type { BackflipFlags } from './backflip.js';
import type { PaddleFlags } from './paddle.js';
import { configOptions } from './flags.js';
import { UsageError, processIO, type CliIO } from './io.js';
import { collectKeyValue, nonNegativeInt, nonNegativeNumber, parseJsonObject, port, positiveInt } from './parse.js';
import type { PrefsFlags } from './prefs.js';
import type { QueueRunsFlags } from './queue.js';
import type { RenderFlags } from './render.js';
import type { ServeFlags } from './serve.js';
import type { TrainFlags } from './train.js';
import type { W2sFlags } from './w2s.js';
import type { W2sRewardFlags } from './w2sReward.js';
import type { InterpFlags } from './interp.js';
import type { InterpCueFlags, InterpEpicFlags } from './interpEpic.js';
import type { DebateTrainJudgeFlags } from './debate.js';
import type { DebateSessionFlags } from './debateSession.js';
import type { DebatePlayFlags } from './debatePlay.js';
import type { DebateOutcomesFlags } from './debateOutcomes.js';

/** Registers the built-in envs, for commands that make them. */
const withEnvs = () => import('../envs/builtins.js');

export const EXIT_USAGE = 2;

function buildProgram(io: CliIO, argv: string[], setCode: (code: number) => void): Command {
  const program = new Command('overseer')
    .description('Overseer: learning from human feedback, and testing whether oversight holds.')
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('train')
    .description('Train an agent on a registered env and write a run directory.')
    .option('--env <id>', `env id (${BUILTIN_ENV_IDS.join(', ')})`)
    .option('--resume <run_dir>', 'continue an interrupted train run exactly where its last checkpoint left it')
    .addOption(new Option('--algo <name>', 'algorithm (default: ppo; a resumed run keeps its own)').choices(ALGOS))
    .option('--steps <n>', 'total env steps (default: the env preset, else 500000)', positiveInt)
    .option('--seed <n>', 'seed for envs, init and sampling (default 1)', nonNegativeInt)
    .option('--out <dir>', 'run directory (default runs/<env>__<algo>__seed<n>__<time>)')
    .option('--num-envs <n>', 'parallel envs', positiveInt)
    .addOption(new Option('--vec <mode>', 'vector env: sync (this thread) or workers (worker threads)').choices(['sync', 'workers']))
    .option('--env-kwargs <json>', 'env constructor options as a JSON object', parseJsonObject)
    .option('--config <file>', 'JSON file of PPO options')
    .option('--hp <key=value>', 'override one PPO option (repeatable), e.g. --hp learningRate=3e-4', collectKeyValue)
    .option('--checkpoint-every <updates>', 'save a checkpoint every N updates (default: 10 per run)', positiveInt)
    .option('--eval-episodes <n>', 'deterministic evaluation episodes after training', positiveInt, 10)
    .option('--no-progress', 'no progress output')
    .action(async (opts: TrainFlags) => {
      await withEnvs();
      const { trainCommand } = await import('./train.js');
      setCode(await trainCommand(opts, io, argv));
    });

  const prefs = program.command('prefs').description('Learn a reward from segment comparisons and train a policy on it (Christiano et al. 2017); writes a run directory.');
  // Run options come from one table (flags.ts), with their defaults read from the schema.
  for (const option of configOptions()) prefs.addOption(option);
  prefs
    .option('--instructions <text>', 'what annotators are asked to prefer (shown on the labeling page), e.g. "the hopper doing a backflip"')
    .option('--host <address>', 'with --teacher human: address the labeling server listens on', '127.0.0.1')
    .option('--port <n>', 'with --teacher human: its port (0: any free port)', port, 8080)
    .option('--eval-env-kwargs <json>', 'env options of the final evaluation (default: those of training)', parseJsonObject)
    .option('--config <file>', 'JSON file of prefs options (flags win)')
    .option('--out <dir>', 'run directory (default runs/<env>__prefs__seed<n>__<time>, inside the project if given)')
    .option('--project <dir>', "keep segments and labels in this project's database (overseer.db) beside other runs (default: the run directory)")
    .option('--db <url>', 'keep them in a PostgreSQL project database instead, postgres://USER:PASSWORD@HOST:PORT/DATABASE (the run directory keeps checkpoints; its config.json keeps the URL without the password); with --resume, the same URL again to give the password')
    .option('--resume <run_dir>', 'continue an interrupted prefs run with all its labels')
    .option('--labels-from <run_dir>', "start with another prefs run's labels (they count toward the budget)")
    .option('--checkpoint-every <updates>', 'save a checkpoint every N PPO updates (default: 10 per run)', positiveInt)
    .option('--eval-episodes <n>', 'deterministic evaluation episodes on the true reward after training', positiveInt, 10)
    .option('--no-progress', 'no progress output')
    .action(async (opts: PrefsFlags) => {
      await withEnvs();
      const { prefsCommand } = await import('./prefs.js');
      setCode(await prefsCommand(opts, io, argv));
    });

  program
    .command('eval')
    .description("Evaluate a run's final (or latest) checkpoint.")
    .argument('<run_dir>', 'run directory written by train')
    .option('--episodes <n>', 'episodes to run', positiveInt, 10)
    .option('--seed <n>', 'episode k is reset with seed + k', nonNegativeInt, 0)
    .option('--checkpoint <file>', 'a specific checkpoint file instead of the latest')
    .option('--stochastic', 'sample actions instead of taking the mode', false)
    .option('--json', 'print one JSON object instead of text', false)
    .action(async (runDir: string, opts: EvalFlags) => {
      await withEnvs();
      const { evalCommand } = await import('./eval.js');
      setCode(await evalCommand(runDir, opts, io));
    });

  program
    .command('render')
    .description("Record episodes of a run's policy as render states (geom poses per step) in a JSON file.")
    .argument('<run_dir>', 'run directory written by train')
    .requiredOption('--out <file>', 'JSON file to write')
    .option('--episodes <n>', 'episodes to record', positiveInt, 1)
    .option('--seed <n>', 'episode k is reset with seed + k', nonNegativeInt, 0)
    .option('--checkpoint <file>', 'a specific checkpoint file instead of the latest')
    .option('--stochastic', 'sample actions instead of taking the mode', false)
    .action(async (runDir: string, opts: RenderFlags) => {
      await withEnvs();
      const { renderCommand } = await import('./render.js');
      setCode(await renderCommand(runDir, opts, io));
    });

  program
    .command('serve')
    .description('Serve a project: the labeling page, the dashboard and the JSON API over its database.')
    .option('--project <dir>', 'project directory (its overseer.db is created if missing)')
    .option('--db <url>', 'or a PostgreSQL database: postgres://USER:PASSWORD@HOST:PORT/DATABASE (instead of --project)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', port, 8080)
    .action(async (opts: ServeFlags) => {
      const { serveCommand } = await import('./serve.js');
      setCode(await serveCommand(opts, io));
    });

  program
    .command('export')
    .description('Write labels, with the queries and segments they compare, as JSON lines (format in src/store/exchange.ts).')
    .option('--project <dir>', 'project directory')
    .option('--db <url>', 'or a PostgreSQL database: postgres://USER:PASSWORD@HOST:PORT/DATABASE (instead of --project)')
    .requiredOption('--out <file>', 'JSONL file to write')
    .option('--run <id...>', 'only these runs (default: all)')
    .action(async (opts: ExportFlags) => {
      const { exportCommand } = await import('./exchange.js');
      setCode(exportCommand(opts, io));
    });

  program
    .command('import')
    .description("Store an export's runs, segments, queries and labels in a project (train on them with overseer prefs --labels-from FILE).")
    .option('--project <dir>', 'project directory (created if missing)')
    .option('--db <url>', 'or a PostgreSQL database: postgres://USER:PASSWORD@HOST:PORT/DATABASE (instead of --project)')
    .requiredOption('--in <file>', 'JSONL file written by overseer export')
    .option('--prefix <text>', 'prepended to the imported run ids', '')
    .action(async (opts: ImportFlags) => {
      const { importCommand } = await import('./exchange.js');
      setCode(importCommand(opts, io));
    });

  const gridworlds = program.command('gridworlds').description('The AI Safety Gridworlds: model organisms with a visible reward and a hidden performance.');
  gridworlds
    .command('report')
    .description('Train Q-learning, SARSA and PPO on every gridworld; set the visible return beside the hidden performance and flag where they part.')
    .option('--episodes <n>', 'training episodes per tabular run', positiveInt, 20_000)
    .option('--ppo-steps <n>', 'env steps per PPO run', positiveInt, 200_000)
    .option('--agents <list>', 'comma-separated: q-learning, sarsa, ppo', 'q-learning,sarsa,ppo')
    .option('--seeds <list>', 'comma-separated seeds', '1,2,3')
    .option('--env <name...>', 'only these envs (report names or env ids)')
    .option('--out <dir>', 'where gridworlds.json, .md and .svg go', 'bench/results')
    .action(async (opts: GridworldsReportFlags) => {
      await withEnvs();
      const { gridworldsReportCommand } = await import('./gridworlds.js');
      setCode(await gridworldsReportCommand(opts, io, argv));
    });

  gridworlds
    .command('show')
    .description('Play a sequence of moves in a gridworld and print each board in colour, with the visible and hidden rewards.')
    .argument('<env>', 'gridworld env id, e.g. BoatRace-v0')
    .option('--actions <letters>', 'u, d, l, r (n: no-op where offered), e.g. rrddllu', '')
    .option('--seed <n>', 'reset seed', nonNegativeInt, 0)
    .option('--kwargs <json>', 'env options as a JSON object', parseJsonObject)
    .option('--no-color', 'plain characters')
    .action(async (env: string, opts: GridworldsShowFlags) => {
      await withEnvs();
      const { gridworldsShowCommand } = await import('./gridworlds.js');
      setCode(gridworldsShowCommand(env, opts, io));
    });

  const oversight = program.command('oversight').description('The oversight lab: experiments on what learning from an overseer does when the overseer is limited.');
  oversight
    .command('sophistry')
    .description('Train the preference loop on a limited overseer\'s labels (and, as a control, on the full view\'s), audited; measure approval against the truth and the overseer\'s false-positive rate; write sophistry.{json,md,svg}.')
    .requiredOption('--env <id>', 'Reacher-v5, TomatoWatering-v0 or AbsentSupervisor-v0')
    .requiredOption('--overseer <view>', 'the limited overseer\'s view, e.g. projection, keyframes:2, sensor-blind, observed-board, watched-only')
    .option('--labels <n>', 'label budget per run', positiveInt, 700)
    .option('--steps <n>', 'env steps per run', positiveInt, 1_000_000)
    .option('--seeds <list>', 'comma-separated seeds', '1,2,3')
    .option('--arms <list>', 'limited, control, assisted (the limited overseer helped by --assistant)', 'limited,control')
    .option('--assistant <name>', 'the assisted arm\'s assistant: random, disagreement, supervised or rrm')
    .option('--assistant-labels <n>', 'the assisted arm: reveal comparisons the rrm assistant is trained on', positiveInt, 500)
    .option('--reveal-budget <n>', 'the assisted arm: reveals per label', positiveInt, 3)
    .option('--audit-rate <p>', 'share of the queries a full-view validation overseer also answers (never trained on); 0.15 was chosen on the development cells', nonNegativeNumber, 0.15)
    .option('--probes <n>', 'probe pairs per round for the false-positive rate', positiveInt, 200)
    .option('--teacher <name>', 'the overseers\' B-Pref noise (oracle: none)', 'oracle')
    .option('--prefs <json>', 'loop settings as a JSON object (e.g. {"segmentLength": 25})', parseJsonObject)
    .option('--purpose <p>', 'report (any cell) or tuning (choosing settings: development cells only, kept apart in sophistry-tuning.*)', 'report')
    .option('--out <dir>', 'where sophistry.json, .md and .svg go (cells under DIR/sophistry/)', 'bench/results')
    .action(async (opts: SophistryFlags) => {
      await withEnvs();
      const { sophistryCommand } = await import('./oversight.js');
      setCode(await sophistryCommand(opts, io, argv));
    });

  oversight
    .command('assist')
    .description("A randomized trial: pairs with planted flaws (and clean ones) go at random to an overseer helped by an assistant's critiques or to the same overseer alone; writes assistance.{json,md,svg}.")
    .requiredOption('--env <id>', 'Reacher-v5, TomatoWatering-v0 or AbsentSupervisor-v0')
    .requiredOption('--overseer <view>', "the limited overseer's view, e.g. projection, keyframes:2, sensor-blind, observed-board, watched-only")
    .requiredOption('--assistant <name>', 'random (a random pointer, the control), disagreement (where a reward-model ensemble fitted to the overseer\'s labels disagrees), supervised (a flaw detector fitted on an audit sample of full-view labels) or rrm (trained by reward modeling on the overseer\'s judgments of reveals)')
    .option('--assistant-labels <list>', 'trained assistants: labels each is trained on (rrm: reveal comparisons; disagreement: the overseer\'s pair labels; supervised: the audit sample), comma-separated (each a trial)', '500')
    .option('--pairs <n>', 'planted-flaw pairs per seed', positiveInt, 200)
    .option('--clean <n>', 'pairs of clean clips per seed, mixed in', nonNegativeInt, 100)
    .option('--budget <list>', 'reveals per label, comma-separated (each a trial)', '3')
    .option('--seeds <list>', 'comma-separated seeds', '1,2,3')
    .option('--teacher <name>', "the overseer's B-Pref noise (stoc: Bradley-Terry on what it sees, so near-equal clips are near coin flips; oracle: none)", 'stoc')
    .option('--purpose <p>', 'report (any cell) or tuning (development cells only, kept apart in assistance-tuning.*)', 'report')
    .option('--out <dir>', 'where assistance.json, .md and .svg go (cells under DIR/assistance/)', 'bench/results')
    .action(async (opts: AssistFlags) => {
      await withEnvs();
      const { assistCommand } = await import('./assist.js');
      setCode(await assistCommand(opts, io, argv));
    });

  oversight
    .command('report')
    .description('Rebuild an experiment\'s report from the cells saved under DIR (e.g. after runs in parallel): sophistry.{json,md,svg} or assistance.{json,md,svg}.')
    .option('--experiment <name>', 'sophistry or assistance', 'sophistry')
    .option('--purpose <p>', 'report, or tuning (sophistry-tuning.*, assistance-tuning.*)', 'report')
    .option('--out <dir>', 'the directory the cells were saved in', 'bench/results')
    .action(async (opts: { experiment: string; purpose: string; out: string }) => {
      const { oversightReportCommand } = await import('./oversight.js');
      setCode(await oversightReportCommand(opts, io));
    });

  program
    .command('w2s')
    .description('Weak-to-strong generalisation on MNIST (Burns et al. 2023): weak supervisors label data for strong students (linear probes on pretrained or random encoders); every cell runs resumably; writes w2s.{json,md,svg} with PGR per weak x strong x method, the easy-to-hard table, and the reward-model tables of w2s-reward.json if it is there.')
    .option('--tasks <list>', 'digits (10 classes), lt5, parity (binary), comma-separated (default digits,lt5)')
    .option('--seeds <list>', 'seeds, e.g. 1-3 or 1,4 (default 1-3)')
    .option('--weak <list>', 'weak supervisors: lr-4x4, lr-7x7-300, mlp-7x7-300, knn-14x14-100 (default all)')
    .option('--strong <list>', 'strong students dae-<width> or rf-<width> (default dae-64,dae-256,dae-1024,rf-128,rf-512,rf-2048)')
    .option('--methods <list>', 'naive, conf-ramp, conf-warmup-jump, bootstrap (default all)')
    .option('--student-epochs <n>', 'epochs per learning rate of each student (default 6)')
    .option('--dae-epochs <n>', 'autoencoder pretraining epochs (default 10)')
    .option('--parts <list>', 'grid (weak-to-strong PGR), easy-hard (ceiling probes trained on easy vs hard images, tested on hard ones) (default both)')
    .option('--quick', 'a reduced grid (small S and V, short training) for a smoke run; cells and report under w2s-quick', false)
    .option('--out <dir>', 'where w2s.json, .md and .svg go (cells and cached models under DIR/w2s/)', 'bench/results')
    .action(async (opts: W2sFlags) => {
      const { w2sCommand } = await import('./w2s.js');
      setCode(await w2sCommand(opts, io, argv));
    });

  program
    .command('w2s-reward')
    .description('Weak-to-strong and easy-to-hard on reward models (Burns et al. 2023): a weak reward model labels clip pairs, a strong one pretrained on the clips learns from them; PGR on true preferences, and PPO on each reward model. Resumable; writes w2s-reward.{json,md}.')
    .option('--envs <list>', 'MuJoCo tasks, comma-separated', 'Hopper-v5,HalfCheetah-v5')
    .option('--seeds <list>', 'seeds of the reward-model experiment, e.g. 1-3 or 1,4', '1-3')
    .option('--pool-steps <n>', 'steps of the true-reward PPO run that records the clip pool (also the true-reward reference)', positiveInt, 300_000)
    .option('--pool-size <n>', 'clips kept, evenly spread over that run', positiveInt, 2000)
    .option('--pool-seed <n>', "seed of the pool's PPO run", nonNegativeInt, 1)
    .option('--rl-seeds <list>', "seeds whose reward models PPO trains on ('' for none)", '1')
    .option('--rl-steps <n>', 'PPO steps on each learned reward (default: --pool-steps)', positiveInt)
    .option('--rl-arms <list>', 'reward models to train PPO on: weak, naive, ceiling', 'weak,naive,ceiling')
    .option('--options <json>', 'experiment options (RewardW2sOptionsSchema), e.g. {"weak":{"teacher":"oracle"}}', parseJsonObject)
    .option('--quick', 'a smoke run: small pool, tiny trunk, short RL (cells under w2s-reward-quick)', false)
    .option('--out <dir>', 'where w2s-reward.json and .md go', 'bench/results')
    .action(async (opts: W2sRewardFlags) => {
      await withEnvs();
      const { w2sRewardCommand } = await import('./w2sReward.js');
      setCode(await w2sRewardCommand(opts, io, argv));
    });

  program
    .command('interp')
    .description("What is a prefs run's reward model paying attention to? Records every hidden unit of its networks over the run's segments and policy rollouts beside the env's named features, trains a sparse autoencoder on one reward-model layer (Bricken et al. 2023) and explains and scores neurons, SAE features and random directions (Bills et al. 2023); writes OUT/NAME.{json,md,svg}.")
    .argument('<run_dirs...>', 'prefs run directories (their final, else latest, checkpoint and project database)')
    .option('--member <k>', 'reward-model member whose layer gets the SAE (default 0)', nonNegativeInt)
    .option('--layer <l>', 'its hidden layer, 0 = first (default: the last)', nonNegativeInt)
    .option('--sae-steps <n>', 'SAE optimiser steps; resampling at 1/4, 1/2, 3/4 (default 2000)', positiveInt)
    .option('--dict-multiple <n>', 'SAE features per neuron of the layer (default 4)', positiveInt)
    .option('--l1 <x>', 'SAE L1 coefficient, on the layer scaled to mean squared norm = width (default 1)', nonNegativeNumber)
    .option('--units <n>', 'units explained per kind: neurons, SAE features, random directions, policy neurons (default 64)', positiveInt)
    .option('--rollouts <n>', 'episodes of the policy recorded beside the stored segments (default 4)', nonNegativeInt)
    .option('--seed <n>', 'seed of the SAE, splits, samples and rollouts (default 0)', nonNegativeInt)
    .option('--out <dir>', 'where NAME.json, .md and .svg go (default bench/results)')
    .option('--name <name>', 'report name (default interp)')
    .action(async (runDirs: string[], opts: Partial<InterpFlags>) => {
      const { interpCommand } = await import('./interp.js');
      setCode(await interpCommand(runDirs, opts, io, argv));
    });

  program
    .command('interp-epic')
    .description("EPIC and DARD between prefs runs' reward models (ensemble mean and members) and the true reward over each run's segments (DARD's next states from the simulator), beside the policy's shortfall against true-reward PPO; writes OUT/NAME.{json,md}.")
    .argument('<run_dirs...>', 'prefs run directories of envs that can be put in an observed state: the gridworlds CoinCue-v0, BoatRace-v0, IslandNavigation-v0; Hopper-v5, Walker2d-v5, HalfCheetah-v5, Swimmer-v5')
    .requiredOption('--baselines <dirs>', 'comma-separated overseer train run directories of true-reward PPO, one per env', (v: string) => v.split(',').filter(Boolean))
    .option('--transitions <n>', "transitions drawn from each run's segments (default 256)", positiveInt)
    .option('--samples <n>', 'draws per expectation (default 128)', positiveInt)
    .option('--gamma <x>', 'discount of the shaping removed (default 0.99)', nonNegativeNumber)
    .option('--seed <n>', 'seed of the draws (default 0)', nonNegativeInt)
    .option('--out <dir>', 'where NAME.json and .md go (default bench/results)')
    .option('--name <name>', 'report name (default interp-epic)')
    .action(async (runDirs: string[], opts: Partial<InterpEpicFlags>) => {
      const { interpEpicCommand } = await import('./interpEpic.js');
      setCode(await interpEpicCommand(runDirs, opts, io, argv));
    });

  program
    .command('interp-cue')
    .description('The contingent cue (CoinCue-v0): deploy each policy with the cue truthful and decoupled, PPO on its frozen reward model in both, and whether interp and EPIC/DARD flag the cue; writes OUT/NAME.{json,md}.')
    .argument('<run_dirs...>', 'CoinCue-v0 prefs run directories (cue truthful; decoupled ones are controls)')
    .option('--episodes <n>', 'deployment episodes per cue mode (default 20)', positiveInt)
    .option('--rollouts <n>', 'policy episodes for the rollout coverages (default 8)', positiveInt)
    .option('--rl-steps <n>', 'PPO steps on the frozen reward model per cue mode, 0 for none (default 200000)', nonNegativeInt)
    .option('--transitions <n>', 'transitions per coverage (default 256)', positiveInt)
    .option('--samples <n>', 'EPIC/DARD draws per expectation (default 128)', positiveInt)
    .option('--gamma <x>', 'EPIC/DARD discount (default 0.99)', nonNegativeNumber)
    .option('--sae-steps <n>', 'SAE steps for interp (default 1000)', positiveInt)
    .option('--units <n>', 'units explained per kind (default 32)', positiveInt)
    .option('--seed <n>', 'seed (default 0)', nonNegativeInt)
    .option('--out <dir>', 'where NAME.json and .md go (default bench/results)')
    .option('--name <name>', 'report name (default interp-cue)')
    .action(async (runDirs: string[], opts: Partial<InterpCueFlags>) => {
      const { interpCueCommand } = await import('./interpEpic.js');
      setCode(await interpCueCommand(runDirs, opts, io, argv));
    });

  program
    .command('migrate')
    .description('Move a project between a directory (SQLite) and a PostgreSQL database, either way, into an empty target; every table is checked afterwards.')
    .requiredOption('--from <dir|url>', 'the project: a directory, or postgres://…')
    .requiredOption('--to <dir|url>', 'where it goes (empty): a directory, or postgres://…')
    .action(async (opts: { from: string; to: string }) => {
      const { migrateCommand } = await import('./migrate.js');
      setCode(migrateCommand(opts, io));
    });

  const debate = program.command('debate').description('Debate on MNIST (Irving et al. 2018): two debaters reveal pixels, a judge who sees only those k pixels picks between their claims.');
  debate
    .command('train-judge')
    .description('Train the judge: a classifier of MNIST from k random nonzero pixels (sparse gather layer -> MLP), fresh pixels every batch; 60k training images minus a held-out validation slice; accuracy on the 10k test images over several draws of pixels with a 95% interval. Reuses DIR/judges/<name>.json when it exists; writes DIR/<name>.json.')
    .option('--k <n>', 'pixels revealed per image (the paper: 4 or 6)')
    .option('--batches <n>', 'minibatches (default: the paper, 30000 at k=6, 50000 at k=4)')
    .option('--batch-size <n>', 'images per minibatch (default 128)')
    .option('--lr <x>', 'Adam learning rate (default 1e-3, chosen on validation)')
    .option('--hidden <list>', 'widths: gather layer, then MLP hidden layers (default 256)')
    .option('--seed <n>', 'seed of the split, init, batches and pixel draws (default 1)')
    .option('--val-size <n>', 'training images held out for validation (default 5000)')
    .option('--eval-every <n>', 'batches between validation points of the learning curve (default 2000; 0: only at the end)')
    .option('--draws <n>', 'draws of k pixels per validation image in the final measurement (default 5)')
    .option('--test-draws <n>', 'draws of k pixels per test image (default 5; 0 skips the test set, for tuning on validation)')
    .option('--retrain', 'train again even if the checkpoint exists', false)
    .option('--out <dir>', 'where the summary goes (checkpoints under DIR/judges/, git-ignored)', 'bench/results/debate')
    .action(async (opts: DebateTrainJudgeFlags) => {
      const { debateTrainJudgeCommand } = await import('./debate.js');
      setCode(await debateTrainJudgeCommand(opts, io, argv));
    });
  debate
    .command('play')
    .description("Play the debates: an honest and a lying debater (greedy or MCTS) reveal pixels to a sparse judge; plays every k x precommit x first mover x debater cell resumably and writes debate.{json,md} beside the paper's numbers.")
    .option('--judge <spec>', 'judge checkpoint: k=PATH, a PATH (its k is read from it) or a directory holding one checkpoint per k; repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--k <list>', 'pixels revealed, comma-separated (default 6,4)')
    .option('--precommit <list>', 'yes, no, or yes,no (default yes,no)')
    .option('--first <list>', 'who moves first: honest, liar, or both (default honest,liar)')
    .option('--debaters <list>', 'greedy, mcts (default both)')
    .option('--greedy-images <n>', 'test images per greedy cell (default 10000)')
    .option('--mcts-images <n>', 'test images per MCTS cell (default 1000)')
    .option('--rollouts <n>', 'MCTS rollouts per move (default 100; the paper used 10,000)')
    .option('--c-puct <x>', 'MCTS PUCT exploration constant (default 1)')
    .option('--prior <p>', 'MCTS priors: uniform or margin (default margin)')
    .option('--leaf <v>', 'MCTS value of a non-terminal leaf: rollout or margin (default margin)')
    .option('--batch <n>', 'MCTS leaves per judge call (default 16)')
    .option('--sample-seed <n>', 'seed of the test-image shuffle and of the judge-alone reveals (default 0)')
    .option('--design-images <n>', 'also run the MCTS design study (prior x leaf against greedy, per k) on N images')
    .option('--report-only', 'rewrite debate.{json,md} from the saved cells without playing', false)
    .option('--out <dir>', 'where debate.json and .md go (cells under DIR/debate/cells/)', 'bench/results')
    .action(async (opts: DebatePlayFlags) => {
      const { debatePlayCommand } = await import('./debatePlay.js');
      setCode(await debatePlayCommand(opts, io, argv));
    });
  debate
    .command('from-outcomes')
    .description("Beyond the paper: label a seeded sample of MNIST training images by debate alone (a round robin of precommit games among the judge's top-m digits, greedy debaters, no labels read), train an MLP on the 784 pixels from those labels, and compare it on the 10k test images with the same MLP trained on the true labels, per judge k. Debate labels are saved under OUT/debate-outcomes/ and reused when their settings match; writes OUT/debate-outcomes.{json,md}.")
    .option('--k <list>', 'judges to label with, comma-separated (default 4,6)')
    .option('--images <n>', 'training images labelled by debate (default 3000)')
    .option('--candidates <m>', "candidate digits per image: the judge's top m from random reveals; 10 = all digits (default 4)")
    .option('--protocol <name>', 'round-robin (precommit games between candidate pairs) or open (each candidate against an opponent without precommit, as david-lindner/ai-safety-debate) (default round-robin)')
    .option('--draws <n>', 'random reveals of k pixels that rank the candidates (default 8)')
    .option('--compare-images <n>', 'images of the sample also labelled by the full 10-digit round robin and the open protocol (default 200)')
    .option('--seed <n>', 'seed of the sample and of the random reveals (default 0)')
    .option('--hidden <list>', "the classifier's hidden widths, or none for logistic regression (default 128)")
    .option('--epochs <n>', 'classifier epochs (default 10)')
    .option('--judge <spec>', 'judge checkpoint: k=PATH, a PATH (its k is read from it) or a directory holding one per k; repeatable (default: the judge-k<k>-h256-lr0.001-*-s1.json in --judges-dir)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--judges-dir <dir>', 'where the default judges are', 'bench/results/debate/judges')
    .option('--out <dir>', 'where debate-outcomes.{json,md} go (saved debate labels under OUT/debate-outcomes/)', 'bench/results')
    .action(async (opts: DebateOutcomesFlags) => {
      const { debateOutcomesCommand } = await import('./debateOutcomes.js');
      setCode(await debateOutcomesCommand(opts, io, argv));
    });
  debate
    .command('session')
    .description('Make a debate session (a run of env MNIST-debate): people judge live debates between model debaters, or debate the model liar, on the page overseer serve serves (debate.html); prints their links.')
    .option('--project <dir>', 'project directory (its overseer.db is created if missing)')
    .option('--db <url>', 'or a PostgreSQL database: postgres://USER:PASSWORD@HOST:PORT/DATABASE (instead of --project)')
    .requiredOption('--k <n>', 'pixels revealed per debate (the paper: 4 or 6)')
    .requiredOption('--judge <path>', 'the judge checkpoint for that k (overseer debate train-judge)')
    .option('--debater <kind>', 'the model debaters: greedy or mcts', 'mcts')
    .option('--rollouts <n>', 'MCTS rollouts per move (at most 1000: the search runs inside the page\'s requests)', '200')
    .option('--run <id>', "the session's run id (default debate-k<k>-<time>)")
    .option('--person <name...>', 'add these people now and print their links')
    .option('--url <base>', 'server address for the printed links', 'http://127.0.0.1:8080')
    .action(async (opts: DebateSessionFlags) => {
      const { debateSessionCommand } = await import('./debateSession.js');
      setCode(await debateSessionCommand(opts, io));
    });

  const queue = program.command('queue').description('Runs fanned out through a job queue on PostgreSQL (pg-boss): enqueue runs, see how they are doing.');
  for (const command of ['prefs', 'train'] as const) {
    queue
      .command(command)
      .description(`Enqueue one overseer ${command} run per seed (any of its flags pass through; each run gets its own directory); workers run them.`)
      .allowUnknownOption()
      .allowExcessArguments()
      .option('--db <url>', 'the PostgreSQL database holding the queue (and, for prefs, the runs\' labels)')
      .requiredOption('--seeds <list>', 'seeds, e.g. 1-10 or 1,2,5')
      .option('--runs-dir <dir>', 'where the run directories go (share it between machines to resume a lost job from its checkpoint)', 'runs/queue')
      .option('--timeout <seconds>', 'a job running longer is taken to be lost (its worker died) and handed out again', positiveInt)
      .option('--retries <n>', 'times a failed or lost job is tried again', nonNegativeInt)
      .action(async (opts: QueueRunsFlags, cmd: Command) => {
        const { queueRunsCommand } = await import('./queue.js');
        setCode(await queueRunsCommand(command, cmd.args, opts, io));
      });
  }
  queue
    .command('status')
    .description('Every job of the queue: its state, retries, and who finished it.')
    .option('--db <url>', 'the PostgreSQL database holding the queue')
    .option('--json', 'as JSON', false)
    .action(async (opts: { db?: string; json?: boolean }) => {
      const { queueStatusCommand } = await import('./queue.js');
      setCode(await queueStatusCommand(opts, io));
    });
  program
    .command('worker')
    .description('Take runs from the job queue and run them, one at a time, until stopped (any number of workers, on any machines).')
    .option('--db <url>', 'the PostgreSQL database holding the queue')
    .option('--name <text>', 'this worker in the results (default host:pid)')
    // How often lost jobs are looked for (pg-boss maintenance); tests shorten it.
    .addOption(new Option('--maintenance-seconds <s>').argParser(positiveInt).hideHelp())
    .action(async (opts: { db?: string; name?: string; maintenanceSeconds?: number }) => {
      const { workerCommand } = await import('./queue.js');
      setCode(await workerCommand(opts, io));
    });

  const demo = program.command('demo').description('Demonstrations, end to end.');
  demo
    .command('backflip')
    .description('Teach the Hopper a backflip by comparisons: overseer prefs --teacher human, labelled over HTTP by a scripted annotator that sees only the drawn poses; then flips counted from poses, a picture and a report.')
    .option('--out <dir>', 'the demo directory (a finished run in it is measured again, not retrained)', 'runs/backflip-demo')
    .option('--quick', 'a smoke setting: 30k steps, 40 labels, 60-step clips', false)
    .option('--steps <n>', 'env steps (default 3000000)', positiveInt)
    .option('--labels <n>', 'label budget (default 900)', positiveInt)
    .option('--segment-length <steps>', 'steps per clip (default 188: 1.5 s)', positiveInt)
    .option('--episode-steps <steps>', "training episodes end after this many steps (default 188: 1.5 s, one clip); evaluation episodes last Hopper-v5's own 1000 (8 s), or this many if longer", positiveInt)
    .option('--seed <n>', 'seed of the run', nonNegativeInt, 1)
    .option('--episodes <n>', 'evaluation episodes', positiveInt, 10)
    .option('--reference <run_dir>', 'a normally trained Hopper run (or checkpoint) measured on the same episodes')
    .option('--reference-steps <n>', 'without --reference: train a normal Hopper (overseer train, true reward) for this many steps into DIR/normal first (default 1000000; 0: none)', nonNegativeInt)
    .option('--report', 'also write bench/results/backflip.{json,md} and docs/backflip.svg', false)
    .option('--notes <file>', 'Markdown appended to the report as its notes')
    .action(async (opts: BackflipFlags) => {
      await withEnvs();
      const { backflipCommand } = await import('./backflip.js');
      setCode(await backflipCommand(opts, io, argv));
    });
  demo
    .command('paddle')
    .description("Teach MinAtar Breakout's paddle to stay under the ball by comparisons: overseer prefs --teacher human with the MinAtar settings, labelled over HTTP by a scripted annotator that reads only the clips' frames; then tracking measured beside a random policy (and true-reward PPO), a picture and a report.")
    .option('--out <dir>', 'the demo directory (a finished run in it is measured again, not retrained)', 'runs/paddle-demo')
    .option('--quick', 'a smoke setting: 3072 steps, 12 labels, one reward model', false)
    .option('--steps <n>', 'env steps (default 1000000)', positiveInt)
    .option('--labels <n>', 'label budget (default 1200)', positiveInt)
    .option('--seed <n>', 'seed of the run', nonNegativeInt, 1)
    .option('--episodes <n>', 'evaluation episodes', positiveInt, 10)
    .option('--max-episode-steps <n>', 'training and evaluation episodes end after this many steps (default 2000): a tracker that never misses would play forever', positiveInt)
    .option('--reference <run_dir>', 'a true-reward PPO run on MinAtar/Breakout-v1 (or its checkpoint) measured on the same episodes')
    .option('--reference-steps <n>', 'without --reference: train one (overseer train, true reward) for this many steps into DIR/reference first (default 0: none)', nonNegativeInt)
    .option('--report', 'also write bench/results/paddle.{json,md} and docs/paddle-breakout.svg', false)
    .option('--notes <file>', 'Markdown appended to the report as its notes')
    .action(async (opts: PaddleFlags) => {
      await withEnvs();
      const { paddleCommand } = await import('./paddle.js');
      setCode(await paddleCommand(opts, io, argv));
    });

  const annotators = program.command('annotators').description('People who label, each with a token.');
  annotators
    .command('add')
    .description('Add an annotator and print its token and labeling link (the token is shown once).')
    .argument('<name>', 'display name, unique in the project')
    .option('--project <dir>', 'project directory')
    .option('--db <url>', 'or a PostgreSQL database: postgres://USER:PASSWORD@HOST:PORT/DATABASE (instead of --project)')
    .option('--admin', 'an admin (dashboard and exports) instead of an annotator', false)
    .option('--url <base>', 'server address for the printed link', 'http://127.0.0.1:8080')
    .option('--expires-in <days>', 'the token stops working after this many days (default: never)', (v: string) => {
      const days = Number(v);
      if (!/^\d*\.?\d+$/.test(v) || !(days > 0)) throw new InvalidArgumentError('expected a positive number of days, e.g. 30 or 0.5.');
      return days;
    })
    .action(async (name: string, opts: AnnotatorsFlags) => {
      const { annotatorsAddCommand } = await import('./annotators.js');
      setCode(annotatorsAddCommand(name, opts, io));
    });
  annotators
    .command('revoke')
    .description("Revoke an annotator's token at once (the server answers it with 401); their labels are kept.")
    .argument('<name>', 'the annotator')
    .option('--project <dir>', 'project directory')
    .option('--db <url>', 'or a PostgreSQL database: postgres://USER:PASSWORD@HOST:PORT/DATABASE (instead of --project)')
    .action(async (name: string, opts: AnnotatorsFlags) => {
      const { annotatorsRevokeCommand } = await import('./annotators.js');
      setCode(annotatorsRevokeCommand(name, opts, io));
    });
  annotators
    .command('list')
    .description("List a project's annotators.")
    .option('--project <dir>', 'project directory')
    .option('--db <url>', 'or a PostgreSQL database: postgres://USER:PASSWORD@HOST:PORT/DATABASE (instead of --project)')
    .action(async (opts: AnnotatorsFlags) => {
      const { annotatorsListCommand } = await import('./annotators.js');
      setCode(annotatorsListCommand(opts, io));
    });

  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[], io: CliIO = processIO): Promise<number> {
  let code = 0;
  const program = buildProgram(io, argv, (c) => {
    code = c;
  });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_USAGE;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed its message.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    if (e instanceof UsageError) {
      io.stderr(`error: ${e.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
