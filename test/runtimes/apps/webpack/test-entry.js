// Test-only entry: the README snippet (main.js), then the shared script on the same module instance.
import './main.js';
import * as ss from 'soft-sampling';
import { compute } from '../../compute.mjs';

window.__result = compute(ss);
