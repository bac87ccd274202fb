// Test-only entry: the README's lite worker (lite.mjs) plus GET /compute running the shared script
// through soft-sampling/lite.
import worker from './lite.mjs';
import * as ss from 'soft-sampling/lite';
import { compute } from '../../../compute.mjs';

export default {
  fetch: (request) => (new URL(request.url).pathname === '/compute' ? Response.json(compute(ss)) : worker.fetch(request)),
};
