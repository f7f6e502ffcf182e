/**
 * The debate page (issue 23): people and the MNIST debate of Irving et al. 2018.
 *
 * - "Judge a debate": two model debaters argue about a hidden digit. Both claims are shown up front;
 *   the pixels they reveal appear on the board one at a time, each in the colour of the claim whose
 *   player showed it; then the person picks a claim. The page shows whether they were right, the
 *   truth, the model judge's pick on the same pixels, and both running accuracies.
 * - "Debate the machine": the person sees the image (faintly) and argues for the true digit
 *   against the machine's liar, clicking inked pixels to show them to the model judge, who decides
 *   after k reveals.
 *
 * Tokens as on the labeling page (client.ts). Test hooks: body[data-mode], body[data-state]
 * (starting, revealing, choosing, sending, result, your-turn, thinking, over, error), body[data-shown].
 * ?pace=MS sets the time between reveals (default 600 ms).
 */
import { DEBATE_ENV_ID, type DebateAccuracyJson, type DebaterGameJson, type DebaterRecordJson, type DebateStatsJson, type JudgeDebateJson, type JudgeResultJson, type RunStatusJson } from '../api.js';
import { api, pageParams } from './client.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = pageParams();
let runId = params.get('run') ?? '';
const mode: 'judge' | 'debater' = params.get('mode') === 'debater' ? 'debater' : 'judge';
const pace = Math.max(0, Math.min(5000, Number(params.get('pace') ?? 600) || 0));
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const runPath = () => `/api/debate/${encodeURIComponent(runId)}`;

const SIDE = 28;
const CELL = 16;
const COLOURS = ['#1f5fbf', '#d9730d'] as const;
const board = $<HTMLCanvasElement>('board');
const ctx = board.getContext('2d')!;

function setState(state: string): void {
  document.body.dataset.state = state;
}

function message(text: string): void {
  $('status').textContent = text;
}

// ---- the board ----

interface Shown {
  pixel: number;
  value: number;
  /** Index into COLOURS. */
  colour: 0 | 1;
}

/**
 * Draws the 28×28 board: the image faintly when the person may see it, the revealed pixels in
 * their values (ink dark) framed in their player's colour and numbered in order, and the keyboard cursor.
 */
function drawBoard(shown: readonly Shown[], image: readonly number[] | null, imageAlpha: number, cursor: number | null = null): void {
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, board.width, board.height);
  if (image) {
    for (let p = 0; p < SIDE * SIDE; p++) {
      if (image[p] === 0) continue;
      ctx.fillStyle = `rgba(0, 0, 0, ${(imageAlpha * image[p]) / 255})`;
      ctx.fillRect((p % SIDE) * CELL, Math.floor(p / SIDE) * CELL, CELL, CELL);
    }
  }
  ctx.strokeStyle = '#e6e6e6';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let i = 0; i <= SIDE; i++) {
    ctx.moveTo(i * CELL + 0.5, 0);
    ctx.lineTo(i * CELL + 0.5, SIDE * CELL);
    ctx.moveTo(0, i * CELL + 0.5);
    ctx.lineTo(SIDE * CELL, i * CELL + 0.5);
  }
  ctx.stroke();
  ctx.font = `bold ${CELL - 5}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  // Halos first (a faint square in the player's colour, so a reveal is found at a glance), then the pixels over them.
  for (const s of shown) {
    ctx.fillStyle = COLOURS[s.colour];
    ctx.globalAlpha = 0.22;
    ctx.fillRect((s.pixel % SIDE) * CELL - CELL, Math.floor(s.pixel / SIDE) * CELL - CELL, 3 * CELL, 3 * CELL);
    ctx.globalAlpha = 1;
  }
  shown.forEach((s, i) => {
    const x = (s.pixel % SIDE) * CELL;
    const y = Math.floor(s.pixel / SIDE) * CELL;
    const grey = Math.round(255 * (1 - s.value));
    ctx.fillStyle = `rgb(${grey}, ${grey}, ${grey})`;
    ctx.fillRect(x, y, CELL, CELL);
    ctx.strokeStyle = COLOURS[s.colour];
    ctx.lineWidth = 3;
    ctx.strokeRect(x - 1.5, y - 1.5, CELL + 3, CELL + 3);
    // Its number in the order shown, above the pixel (below it on the top rows).
    const ty = y >= 2 * CELL ? y - CELL / 2 - 2 : y + 1.5 * CELL + 2;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 3;
    ctx.strokeText(String(i + 1), x + CELL / 2, ty);
    ctx.fillStyle = COLOURS[s.colour];
    ctx.fillText(String(i + 1), x + CELL / 2, ty);
  });
  if (cursor !== null) {
    ctx.strokeStyle = '#222';
    ctx.lineWidth = 2;
    ctx.setLineDash([3, 2]);
    ctx.strokeRect((cursor % SIDE) * CELL + 1, Math.floor(cursor / SIDE) * CELL + 1, CELL - 2, CELL - 2);
    ctx.setLineDash([]);
  }
  document.body.dataset.shown = String(shown.length);
  const where = (p: number) => `row ${Math.floor(p / SIDE) + 1}, column ${(p % SIDE) + 1}`;
  board.setAttribute('aria-label', shown.length === 0 ? 'The 28 by 28 image: no pixels shown yet' : `The 28 by 28 image; pixels shown: ${shown.map((s, i) => `${i + 1}. ${where(s.pixel)}, ink ${Math.round(100 * s.value)}%`).join('; ')}`);
}

function legend(items: [string, 0 | 1][]): void {
  $('key').replaceChildren(
    ...items.map(([text, c]) => {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.setProperty('--c', COLOURS[c]);
      li.append(sw, text);
      return li;
    }),
  );
}

const accuracyText = (a: DebateAccuracyJson) => `you: ${a.person}/${a.games} · the model judge on the same debates: ${a.model}/${a.games}`;
const recordText = (r: DebaterRecordJson) => `you have won ${r.wins} of ${r.games} debate${r.games === 1 ? '' : 's'} against the machine`;

// ---- judge mode ----

let debate: JudgeDebateJson | null = null;
/**
 * The pick of the debate shown: its client id, and what is sent, frozen at the first send. A
 * retry (the response was lost) sends exactly the same, so the server recognises it (a copy with
 * other seconds or the other claim would not be the pick it stored).
 */
let judged: { clientId: string; sent: { pick: number; seconds: number } | null } = { clientId: '', sent: null };
let debateShownAt = 0;

async function nextDebate(): Promise<void> {
  setState('loading');
  $('result').hidden = true;
  $('next').hidden = true;
  for (const b of claimButtons()) {
    b.disabled = true;
    b.setAttribute('aria-pressed', 'false');
  }
  drawBoard([], null, 0);
  message('The debaters are arguing…');
  const d = await api<JudgeDebateJson>(`${runPath()}/judge/next`, { method: 'POST', body: '{}' });
  debate = d;
  // The server deals the person's unanswered debate again (a reload, a lost pick that was not stored): it is judged as new here.
  judged = { clientId: crypto.randomUUID(), sent: null };
  debateShownAt = performance.now();
  claimButtons().forEach((b, i) => {
    const claim = document.createElement('span');
    claim.textContent = `Claim ${i === 0 ? 'A' : 'B'}: it is a ${d.claims[i]}`;
    const key = document.createElement('kbd');
    key.textContent = i === 0 ? '1 / ←' : '2 / →';
    b.replaceChildren(claim, ' ', key);
  });
  legend([
    [`shown by the player claiming ${d.claims[0]}`, 0],
    [`shown by the player claiming ${d.claims[1]}`, 1],
  ]);
  $('accuracy').textContent = accuracyText(d.accuracy);
  message('');
  setState('revealing');
  const shown: Shown[] = [];
  for (const r of d.reveals) {
    await sleep(pace);
    if (debate !== d) return;
    shown.push({ pixel: r.pixel, value: r.value, colour: r.claim });
    drawBoard(shown, null, 0);
    $('progress').textContent = `Pixel ${shown.length} of ${d.k}, shown by the player claiming ${d.claims[r.claim]}.`;
  }
  $('progress').append(` All ${d.k} are shown: which claim do you believe?`);
  for (const b of claimButtons()) b.disabled = false;
  setState('choosing');
}

const claimButtons = () => [$<HTMLButtonElement>('claim-0'), $<HTMLButtonElement>('claim-1')];

async function pick(i: 0 | 1): Promise<void> {
  const d = debate;
  if (!d || document.body.dataset.state !== 'choosing') return;
  // Once a pick is sent it stands: only it may be sent again (the server may have stored it).
  if (judged.sent && judged.sent.pick !== d.claims[i]) return;
  setState('sending');
  judged.sent ??= { pick: d.claims[i], seconds: Math.round((performance.now() - debateShownAt) / 100) / 10 };
  claimButtons().forEach((b, j) => {
    b.setAttribute('aria-pressed', String(i === j));
    if (j !== i) b.disabled = true;
  });
  try {
    const r = await api<JudgeResultJson>(`${runPath()}/judge/${encodeURIComponent(d.gameId)}`, { method: 'POST', body: JSON.stringify({ ...judged.sent, clientId: judged.clientId }) });
    showJudgeResult(d, r);
  } catch (e) {
    // The same pick, seconds and client id are sent again on the next try: a pick is never stored twice.
    message(`Your pick (claim ${i === 0 ? 'A' : 'B'}) was not saved: ${errorText(e)}. Press it again to retry.`);
    setState('choosing');
  }
}

function showJudgeResult(d: JudgeDebateJson, r: JudgeResultJson): void {
  for (const b of claimButtons()) b.disabled = true;
  const verdict = $('verdict');
  verdict.className = r.right ? 'right' : 'wrong';
  verdict.textContent = r.right ? `Right: the digit is a ${r.truth}.` : `Wrong: the digit is a ${r.truth}; the player claiming ${r.pick} was lying.`;
  $('model-verdict').textContent = `The model judge, on the same ${d.k} pixels, picked ${r.modelPick} (${r.modelPick === r.truth ? 'right' : 'wrong'}).`;
  $('result').hidden = false;
  $('accuracy').textContent = accuracyText(r.accuracy);
  // Now the image may be seen, faintly under the pixels that were shown.
  drawBoard(d.reveals.map((x) => ({ pixel: x.pixel, value: x.value, colour: x.claim })), r.image, 0.35);
  $('progress').textContent = 'The image, faintly, under the pixels the debaters showed.';
  $('next').hidden = false;
  message('');
  setState('result');
}

// ---- debater mode ----

let game: DebaterGameJson | null = null;
let cursor = 14 * SIDE + 14;
let thinkingMs = 0;
let turnStartedAt = 0;

function drawGame(g: DebaterGameJson): void {
  const shown = g.reveals.map((r): Shown => ({ pixel: r.pixel, value: r.value, colour: r.by === 'honest' ? 0 : 1 }));
  drawBoard(shown, g.image, g.verdict ? 0.5 : 0.3, g.verdict ? null : cursor);
}

function showGame(g: DebaterGameJson): void {
  game = g;
  drawGame(g);
  const yours = g.reveals.filter((r) => r.by === 'honest').length;
  $('accuracy').textContent = recordText(g.record);
  if (!g.verdict) {
    const last = g.reveals.at(-1);
    $('progress').textContent = `${g.reveals.length} of ${g.k} pixels shown (${yours} by you).${last?.by === 'liar' ? ' The machine has just shown the pixel numbered ' + g.reveals.length + '.' : ''} Your turn: show a pixel.`;
    turnStartedAt = performance.now();
    setState('your-turn');
    return;
  }
  const v = g.verdict;
  const verdict = $('verdict');
  verdict.className = v.winner === 'honest' ? 'right' : 'wrong';
  verdict.textContent = v.winner === 'honest' ? `You won: the model judge picked ${v.modelPick}, the truth.` : `The machine won: the model judge picked ${v.modelPick}, the lie.`;
  $('model-verdict').textContent = `The model judge's logit of ${g.truth} minus that of ${g.lie}: ${v.margin >= 0 ? '+' : ''}${v.margin.toFixed(2)} (ties go to the liar).`;
  $('result').hidden = false;
  $('progress').textContent = `All ${g.k} pixels are shown.`;
  $('next').hidden = false;
  setState('over');
}

async function nextGame(): Promise<void> {
  setState('loading');
  $('result').hidden = true;
  $('next').hidden = true;
  message('');
  thinkingMs = 0;
  const g = await api<DebaterGameJson>(`${runPath()}/debater/next`, { method: 'POST', body: '{}' });
  $('guide').textContent =
    `The image is a ${g.truth} (you see it faintly; the model judge does not). You argue that it is a ${g.truth}; the machine argues that it is a ${g.lie}. ` +
    `You take turns showing the model judge one pixel each, ${g.k} in all (${g.first === 'honest' ? 'you start' : 'the machine starts'}): click an inked pixel, or move with the arrow keys and press Enter. ` +
    'Show the pixels that make your digit most convincing; after the last one the model judge decides.';
  legend([
    [`shown by you (it is a ${g.truth})`, 0],
    [`shown by the machine (it is a ${g.lie})`, 1],
  ]);
  cursor = 14 * SIDE + 14;
  showGame(g);
}

async function reveal(pixel: number): Promise<void> {
  const g = game;
  if (!g || document.body.dataset.state !== 'your-turn') return;
  setState('thinking');
  thinkingMs += performance.now() - turnStartedAt;
  message('The machine is thinking…');
  try {
    const next = await api<DebaterGameJson>(`${runPath()}/debater/${encodeURIComponent(g.gameId)}/reveal`, { method: 'POST', body: JSON.stringify({ pixel, turn: g.reveals.length, seconds: Math.round(thinkingMs / 100) / 10 }) });
    message('');
    showGame(next);
  } catch (e) {
    message(errorText(e));
    turnStartedAt = performance.now();
    setState('your-turn');
  }
}

board.addEventListener('click', (ev) => {
  if (mode !== 'debater') return;
  const rect = board.getBoundingClientRect();
  const col = Math.floor(((ev.clientX - rect.left) / rect.width) * SIDE);
  const row = Math.floor(((ev.clientY - rect.top) / rect.height) * SIDE);
  if (col < 0 || col >= SIDE || row < 0 || row >= SIDE) return;
  cursor = row * SIDE + col;
  void reveal(cursor);
});

// ---- keys ----

document.addEventListener('keydown', (ev) => {
  if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
  const state = document.body.dataset.state;
  if ((state === 'result' || state === 'over') && (ev.key === 'Enter' || ev.key === 'n' || ev.key === 'N')) {
    ev.preventDefault();
    $('next').click();
    return;
  }
  if (mode === 'judge') {
    if (ev.key === '1' || ev.key === 'ArrowLeft' || ev.key === 'ArrowUp') void pick(0);
    else if (ev.key === '2' || ev.key === 'ArrowRight' || ev.key === 'ArrowDown') void pick(1);
    return;
  }
  if (state !== 'your-turn' || !game) return;
  const moves: Record<string, [number, number]> = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  const m = moves[ev.key];
  if (m) {
    ev.preventDefault();
    const row = Math.min(SIDE - 1, Math.max(0, Math.floor(cursor / SIDE) + m[0]));
    const col = Math.min(SIDE - 1, Math.max(0, (cursor % SIDE) + m[1]));
    cursor = row * SIDE + col;
    drawGame(game);
  } else if (ev.key === 'Enter' || ev.key === ' ') {
    ev.preventDefault();
    void reveal(cursor);
  }
});

for (const b of claimButtons()) b.addEventListener('click', () => void pick(Number(b.dataset.claim) as 0 | 1));
$('next').addEventListener('click', () => void (mode === 'judge' ? nextDebate() : nextGame()).catch(fail));

function fail(e: unknown): void {
  message(`Could not go on: ${errorText(e)}`);
  setState('error');
}

async function start(): Promise<void> {
  document.body.dataset.mode = mode;
  const me = await api<{ name: string; role: string }>('/api/me');
  $('who').textContent = me.name;
  if (!runId) {
    const { runs } = await api<{ runs: RunStatusJson[] }>('/api/runs');
    const sessions = runs.filter((r) => r.envId === DEBATE_ENV_ID);
    if (sessions.length === 0) throw new Error('this project has no debate session (make one with overseer debate session)');
    runId = sessions[sessions.length - 1].id;
  }
  for (const m of ['judge', 'debater'] as const) {
    const a = $<HTMLAnchorElement>(`tab-${m}`);
    a.href = `./debate.html?run=${encodeURIComponent(runId)}&mode=${m}${params.has('pace') ? `&pace=${pace}` : ''}`;
    if (m === mode) a.setAttribute('aria-current', 'page');
  }
  const stats = await api<DebateStatsJson>(`${runPath()}/stats`);
  const s = stats.session;
  $('run-name').textContent = runId;
  $('session').textContent = `${s.k} pixels · ${s.debater === 'mcts' ? `MCTS debaters, ${s.rollouts} rollouts a move` : 'greedy debaters'}`;
  if (s.finished) {
    message('This debate session has finished: it takes no more games. Thank you!');
    $('accuracy').textContent = mode === 'judge' ? accuracyText(stats.you.judging) : recordText(stats.you.debating);
    setState('finished');
    return;
  }
  if (mode === 'judge') {
    $('guide').textContent =
      `Two players argue about a hidden handwritten digit: one tells the truth, the other lies. Each names its digit up front; then they take turns showing you one pixel of the image each, ${s.k} in all (a pixel's value cannot be faked). ` +
      'Watch the pixels appear, then pick the claim you believe: click it, or press 1 or ← for the first claim, 2 or → for the second. Enter goes on to the next debate.';
    await nextDebate();
  } else {
    await nextGame();
  }
}

start().catch(fail);
