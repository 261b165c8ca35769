// The shape of `Target.safety` (core/safety/types.ts), for the target validator.
import { duration, fn, text } from '../validate/fields.ts';
import { arrayOf, type Check, objectOf, type Shape } from '../validate/walk.ts';

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

const region: Check = (value, path, out) => {
  if (typeof value !== 'string' || !REGION.test(value))
    out.expected(path, 'an AWS region name like "eu-west-1"', value);
};

const abortAlarmShape: Shape = {
  fields: { name: text('CloudWatch alarm name'), region },
  required: ['name', 'region'],
  unknownFields: 'report',
};

const envName: Check = (value, path, out) => {
  if (typeof value !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(value))
    out.expected(path, 'an environment variable name like "LUNEO_PROD_ACCOUNT_ID"', value);
};

const requiredEnvShape: Shape = {
  fields: { name: envName, setTo: text('what to set it to'), neededBy: text('a step or probe name') },
  required: ['name', 'setTo'],
  unknownFields: 'report',
};

export const safetyShape: Shape = {
  fields: {
    abortAlarms: arrayOf(
      'abort alarms',
      objectOf('{ name: "luneo-prod-dr-abort", region: "eu-west-1" }', abortAlarmShape),
    ),
    abortAlarmGrace: duration({ positive: false }),
    checkEvery: duration({ positive: true }),
    accountIdFrom: envName,
    requiredEnv: arrayOf(
      'required environment variables',
      objectOf('{ name: "LUNEO_PROD_ZONE_ID", setTo: "the hosted zone id" }', requiredEnvShape),
    ),
    platform: fn('the safety platform (STS, FIS, alarms, lock) of the target'),
  },
  unknownFields: 'report',
};

/** `safety: { ... }` of a target. */
export const safety: Check = objectOf('{ abortAlarms: [...], platform }', safetyShape);
