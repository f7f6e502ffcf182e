/**
 * Breakout on MinAtar's 10x10 grid (Young & Tian 2019), following MinAtar's rules.
 *
 * The player slides a one-cell paddle along the bottom row. A ball starts in row 3 at the left or
 * right wall (chosen at random) heading down and away from it, and only ever moves diagonally. It
 * reflects off the side walls, the ceiling and bricks; hitting the paddle's cell sends it back up,
 * and clipping the paddle's corner sends it back the way it came. Each brick knocked out is worth
 * +1. The three rows of bricks (rows 1-3) come back once all are gone and the ball reaches the
 * bottom row. Missing the ball with the paddle ends the episode. A trail channel marks the ball's
 * previous cell, so its direction can be read from one frame. There is no difficulty ramp.
 */
import { NumpyRandomState } from '../../utils/mt19937.js';
import { GRID, LEFT, NOOP, RIGHT, type MinAtarGame, type MinAtarGameOptions } from './game.js';

const CH_PADDLE = 0;
const CH_BALL = 1;
const CH_TRAIL = 2;
const CH_BRICK = 3;
const BOTTOM = GRID - 1;
const EDGE = GRID - 1;

export class BreakoutGame implements MinAtarGame {
  readonly channels = ['paddle', 'ball', 'trail', 'brick'] as const;
  readonly minimalActionSet = [NOOP, LEFT, RIGHT] as const;
  /** Accepted for a uniform constructor; Breakout has nothing to ramp. */
  readonly ramping: boolean;
  random = new NumpyRandomState(0);

  private paddle = 4;
  private ballX = 0;
  private ballY = 3;
  /** Ball velocity, each component -1 or +1 (y grows downward). */
  private dx = 1;
  private dy = 1;
  private trailX = 0;
  private trailY = 3;
  /** Bricks by row * GRID + column, 1 where one stands. */
  private readonly bricks = new Uint8Array(GRID * GRID);
  /** Whether the previous frame's move ran into a brick: then a second brick in a row is not broken. */
  private struck = false;
  private over = false;

  constructor(opts: Partial<MinAtarGameOptions> = {}) {
    this.ramping = opts.ramping ?? true;
  }

  reset(): void {
    // The one random draw of the game: which wall the ball starts at.
    const fromRight = this.random.randint(2) === 1;
    this.ballY = 3;
    this.ballX = fromRight ? EDGE : 0;
    this.dx = fromRight ? -1 : 1;
    this.dy = 1;
    this.paddle = 4;
    this.bricks.fill(0);
    this.fillBricks();
    this.struck = false;
    this.trailX = this.ballX;
    this.trailY = this.ballY;
    this.over = false;
  }

  act(action: number): { reward: number; terminal: boolean } {
    if (this.over) return { reward: 0, terminal: true };
    let reward = 0;

    if (action === LEFT) this.paddle = Math.max(0, this.paddle - 1);
    else if (action === RIGHT) this.paddle = Math.min(EDGE, this.paddle + 1);

    this.trailX = this.ballX;
    this.trailY = this.ballY;
    let x = this.ballX + this.dx;
    let y = this.ballY + this.dy;

    // A side wall keeps the ball in its column this frame but still lets it move vertically,
    // so the checks below look at the clamped column.
    if (x < 0 || x > EDGE) {
      x = x < 0 ? 0 : EDGE;
      this.dx = -this.dx;
    }

    let hitBrick = false;
    if (y < 0) {
      y = 0;
      this.dy = -this.dy;
    } else if (this.bricks[y * GRID + x] === 1) {
      hitBrick = true;
      // Straight after a strike the ball passes into the next brick without breaking it or
      // bouncing, and sits on top of it for a frame.
      if (!this.struck) {
        reward += 1;
        this.struck = true;
        this.bricks[y * GRID + x] = 0;
        y = this.trailY;
        this.dy = -this.dy;
      }
    } else if (y === BOTTOM) {
      if (!this.bricks.includes(1)) this.fillBricks();
      // The paddle is judged against the column the ball came from first, then the one it enters.
      if (this.ballX === this.paddle) {
        this.dy = -this.dy;
        y = this.trailY;
      } else if (x === this.paddle) {
        this.dx = -this.dx;
        this.dy = -this.dy;
        y = this.trailY;
      } else {
        this.over = true;
      }
    }
    if (!hitBrick) this.struck = false;

    this.ballX = x;
    this.ballY = y;
    return { reward, terminal: this.over };
  }

  state(out: Float32Array): void {
    out.fill(0);
    const n = this.channels.length;
    out[(this.ballY * GRID + this.ballX) * n + CH_BALL] = 1;
    out[(BOTTOM * GRID + this.paddle) * n + CH_PADDLE] = 1;
    out[(this.trailY * GRID + this.trailX) * n + CH_TRAIL] = 1;
    for (let i = 0; i < GRID * GRID; i++) if (this.bricks[i] === 1) out[i * n + CH_BRICK] = 1;
  }

  difficultyRamp(): number | null {
    return null;
  }

  private fillBricks(): void {
    this.bricks.fill(1, 1 * GRID, 4 * GRID);
  }
}
