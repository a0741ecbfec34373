#!/usr/bin/env node
// The `kafkalab` command. The sources are TypeScript; tsx compiles them on load so there is
// no separate build step between `npm ci` and a working CLI.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli/main.ts');
