import { defineIntegration } from '../define-integration.js';
import { desiredLimitRanges, LIMITRANGES_INTEGRATION } from './desired.js';

export const limitRangesIntegration = defineIntegration({
  name: LIMITRANGES_INTEGRATION,
  summary: 'One LimitRange per namespace, named after its limit-range file (null keys dropped)',
  qontractIntegration: 'openshift-limitranges',
  kinds: [{ group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', namespaced: true, order: 50 }],
  buildDesired: (ctx) => desiredLimitRanges(ctx.data),
});
