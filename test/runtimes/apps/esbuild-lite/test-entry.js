// Test-only entry: the lite snippet (main.js), then the shared script on the same module instance.
import './main.js';
import * as ss from 'soft-sampling/lite';
import { compute } from '../../compute.mjs';

window.__result = compute(ss);
