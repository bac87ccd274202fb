// Test-only entry: the README worker (index.mjs) plus GET /compute running the shared script.
import worker from './index.mjs';
import * as ss from 'soft-sampling';
import { compute } from '../../../compute.mjs';

export default {
  fetch: (request) => (new URL(request.url).pathname === '/compute' ? Response.json(compute(ss)) : worker.fetch(request)),
};
