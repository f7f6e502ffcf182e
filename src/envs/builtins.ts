// Registers every built-in env id; import for its side effect (worker threads do).
import './classic/index.js';
import './mujoco/index.js';
import './gridworlds/index.js';
import './minatar/index.js';
