import { describe, expect, it } from 'vitest';
import './builtins.js';
import { make, register, registeredIds } from './registry.js';
import { TimeLimit } from './wrappers/timeLimit.js';
import { CartPoleEnv } from './classic/cartpole.js';

describe('registry', () => {
  it('lists the built-in ids', () => {
    expect(registeredIds()).toEqual(expect.arrayContaining(['Acrobot-v1', 'CartPole-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Pendulum-v1']));
  });

  it('explains unknown ids, suggesting close ones and other versions', () => {
    expect(() => make('CartPole-v0')).toThrow('Unknown environment id "CartPole-v0": CartPole is registered as CartPole-v1');
    expect(() => make('CartPol-v1')).toThrow(/Did you mean CartPole-v1\?/);
    expect(() => make('Nope-v3')).toThrow(/Registered ids: AbsentSupervisor-v0, Acrobot-v1, Ant-v5, BoatRace-v0, CartPole-v1/);
  });

  it('validates kwargs by name and type', () => {
    expect(() => make('CartPole-v1', { kwargs: { gravity: 3 } })).toThrow('CartPole-v1 does not take option gravity; allowed: sutton_barto_reward');
    expect(() => make('Pendulum-v1', { kwargs: { g: '9.8' } })).toThrow('Pendulum-v1 option g must be a number, got "9.8"');
    expect(make('Pendulum-v1', { kwargs: { g: 9.81 } }).spec?.kwargs).toEqual({ g: 9.81 });
  });

  it('applies, overrides or removes the TimeLimit', () => {
    expect((make('CartPole-v1') as TimeLimit).maxEpisodeSteps).toBe(500);
    expect((make('CartPole-v1', { maxEpisodeSteps: 50 }) as TimeLimit).maxEpisodeSteps).toBe(50);
    expect(make('CartPole-v1', { maxEpisodeSteps: null })).not.toBeInstanceOf(TimeLimit);
    expect(make('CartPole-v1').unwrapped).toBeInstanceOf(CartPoleEnv);
    expect(make('CartPole-v1').spec).toMatchObject({ id: 'CartPole-v1', maxEpisodeSteps: 500, rewardThreshold: 475 });
  });

  it('refuses malformed or duplicate ids', () => {
    expect(() => register({ id: 'bad id', entryPoint: () => new CartPoleEnv(), kwargs: {} })).toThrow(/Name-vN/);
    expect(() => register({ id: 'CartPole-v1', entryPoint: () => new CartPoleEnv(), kwargs: {} })).toThrow(/already registered/);
  });
});
