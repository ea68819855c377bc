// `node --import heapwatch/register.mjs app.mjs`: the same guard for ESM apps (shares register.cjs's code).
import './register.cjs';
