import { dockerEngine } from './docker/engine.js';
import { memoryEngine } from './memory/engine.js';
import type { EngineFactory } from './port.js';

/**
 * Every engine prescale can plan for, by the name the wiring is given (`EdgeOptions.engines`).
 * A new engine is a folder beside these and one entry here (see CONTRIBUTING.md).
 */
export const ENGINES: Readonly<Record<string, EngineFactory>> = Object.freeze({
  /** The Docker engine DOCKER_HOST names: Swarm services and Compose containers. */
  docker: dockerEngine,
  /** One in-memory service (the embedded demo). */
  memory: memoryEngine,
});

/** The engines planned for unless told otherwise. */
export const DEFAULT_ENGINES: readonly string[] = Object.freeze(['docker']);
