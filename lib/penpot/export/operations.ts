/**
 * The export part of `dist/<env>/OPERATIONS.md`: service account, sharing, every error code with
 * its fix, and the Penpot settings the export path depends on. Generated from the client's own
 * code list and the resolved configuration, so the docs cannot drift from the code.
 */
import { EnvironmentConfig } from '../../config/types';
import { EXPORT_ERROR_CODES, EXPORT_ERROR_MEANINGS } from './client';
import { PENPOT_EXPORT_NAME, TOKEN_SECRET_NAME } from './penpot-export';

/** The table of codes (also in the README; test/penpot-export-docs.test.ts compares both with the client). */
export function errorCodeTable(): string[] {
  return [
    '| code | means | fix | agent should |',
    '|---|---|---|---|',
    ...EXPORT_ERROR_CODES.map((code) => {
      const m = EXPORT_ERROR_MEANINGS[code];
      return `| \`${code}\` | ${m.meaning} | ${m.fix} | ${m.action} |`;
    }),
  ];
}

export function exportOperationsSection(env: EnvironmentConfig): string[] {
  const x = env.penpot.export;
  if (!env.penpot.enabled || !x.enabled) return [];
  const ns = env.penpot.namespace;
  return [
    '## Headless export of boards (`penpot-export`)', '',
    `The MCP server \`${PENPOT_EXPORT_NAME}\` (\`http://${PENPOT_EXPORT_NAME}.${ns}:8080/mcp\`) renders boards through Penpot's exporter `
      + `as the service account of the Secret \`${x.accountSecretName}\`. Callers send \`Authorization: Bearer <token>\` with the `
      + `token of the Secret \`${TOKEN_SECRET_NAME}\`; callers allowed by NetworkPolicy: `
      + `${[...x.clientNamespaces.map((n) => `namespace \`${n}\``), ...x.clientCidrs.map((c) => `\`${c}\``)].join(', ') || 'none yet (set penpot.export.clientNamespaces)'}.`, '',
    '### Service account (once)', '',
    `1. In Penpot (${env.penpot.publicUri}) register an account with a password, e.g. \`export-bot@<your domain>\` `
      + '(an OIDC-only account has no password and cannot log in here; a personal access token cannot export: the exporter accepts only a session).',
    '2. Invite it to every team whose files agents may export (Team -> Members -> Invite, role Editor for the self-test, which creates and deletes a scratch file in its own drafts; Viewer is enough for exports only).',
    `3. \`npm run secrets -- --env ${env.name}\` asks for \`PENPOT_EXPORT_EMAIL\` and \`PENPOT_EXPORT_PASSWORD\` (Secret \`${x.accountSecretName}\`) and generates \`PENPOT_EXPORT_MCP_TOKEN\` (Secret \`${TOKEN_SECRET_NAME}\`).`,
    `4. Check the whole path: \`PENPOT_EXPORT_EMAIL=... PENPOT_EXPORT_PASSWORD=... npm run export -- --env ${env.name} --self-test\``
      + (x.smokeTest ? ' (the PostSync Job `penpot-export-self-test` runs the same after every sync).' : ' (or set `penpot.export.smokeTest: true` to run it after every sync).'),
    '',
    `Give an agent the token: \`kubectl -n ${ns} get secret ${TOKEN_SECRET_NAME} -o jsonpath='{.data.PENPOT_EXPORT_MCP_TOKEN}' | base64 -d\`. `
      + `Rotate it by replacing the Secret and \`kubectl -n ${ns} rollout restart deploy/${PENPOT_EXPORT_NAME}\`.`, '',
    '### Error codes', '',
    'Every failure of `npm run export` (one stderr line `error <code>: <hint>`, exit 1) and of the MCP tools (a tool error `{code, hint, action}`):', '',
    ...errorCodeTable(), '',
    'The MCP tools also answer `invalid-argument` (an id that is not a UUID, a scale outside (0, 10]) before any call to Penpot.', '',
    '### Penpot settings the export path depends on', '',
    '- backend and exporter: the same `PENPOT_SECRET_KEY` (Secret `penpot-secret-key`); a mismatch is `unable-to-upload-resource` (403), an unset key regenerates at each start and logs every session out (`auth-failed`).',
    `- exporter: \`PENPOT_INTERNAL_URI\` = the frontend Service (\`http://penpot-frontend.${ns}:8080\` here): it must route \`/api\` and serve \`render.html\` (else \`unable-to-upload-resource\` 404 or \`render-timeout\`).`,
    `- all three: \`PENPOT_PUBLIC_URI\` = \`${env.penpot.publicUri}\`, exactly; the exporter's browser sends the session cookie only to that host.`,
    '- backend: `enable-login-with-password` in `PENPOT_FLAGS` (else `auth-failed`, login-disabled).',
    '- frontend and backend: the assets volume at `/opt/data/assets` in both, writable by UID 1001 (else `unable-to-upload-resource` 500 or `download-expired` at once).',
    '- exporter: enough memory and `/dev/shm` for Chromium (an OOM kill shows as `exporter-unavailable`).',
    '',
  ];
}
