/**
 * `dek key create|list|describe|rotate|disable|enable`: key administration through the chosen
 * KMS's {@link KeyAdministration} calls.
 *
 * @module
 */
import type { AliasEntry, KeyAdministration, KeyMetadata, KeySpec, KeyUsage, KeyVersion } from '@dek/kms-adapter';
import type { Context } from '../context.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { requireAdmin, withKms } from '../kms.js';
import { parseKeyRef, parseRotation } from '../options.js';
import { printJson, printLines, printTable } from '../print.js';

/** Flags of `dek key create`. */
export interface KeyCreateFlags {
  readonly alias?: string;
  readonly spec: string;
  /** Key usage (`ENCRYPT/DECRYPT` or `SIGN/VERIFY`); the spec's default when absent. */
  readonly usage?: string;
  readonly rotate?: string;
  readonly description?: string;
  readonly json?: boolean;
}

/** Every page of a paged list call. */
async function allPages<T>(fetch: (pageNumber: number) => Promise<{ totalCount: number; items: readonly T[] }>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const response = await fetch(page);
    items.push(...response.items);
    if (response.items.length === 0 || items.length >= response.totalCount) return items;
  }
}

async function allAliases(admin: KeyAdministration): Promise<AliasEntry[]> {
  return allPages(async (pageNumber) => {
    const r = await admin.listAliases({ pageNumber, pageSize: 100 });
    return { totalCount: r.totalCount, items: r.aliases };
  });
}

async function aliasesOf(admin: KeyAdministration, keyId: string): Promise<string[]> {
  const entries = await allPages(async (pageNumber) => {
    const r = await admin.listAliasesByKeyId({ keyId, pageNumber, pageSize: 100 });
    return { totalCount: r.totalCount, items: r.aliases };
  });
  return entries.map((entry) => entry.aliasName);
}

async function versionsOf(admin: KeyAdministration, keyId: string): Promise<KeyVersion[]> {
  return allPages(async (pageNumber) => {
    const r = await admin.listKeyVersions({ keyId, pageNumber, pageSize: 100 });
    return { totalCount: r.totalCount, items: r.keyVersions };
  });
}

const UNITS = [['d', 86_400], ['h', 3_600], ['m', 60]] as const;

/** A KMS rotation interval (`7776000s`) in the largest whole unit (`90d`); anything else as it came. */
function intervalText(interval: string | undefined): string {
  const seconds = /^(\d+)s$/.exec(interval ?? '')?.[1];
  if (seconds === undefined) return interval ?? '?';
  const n = Number(seconds);
  const unit = UNITS.find(([, size]) => n > 0 && n % size === 0);
  return unit === undefined ? `${n}s` : `${n / unit[1]}${unit[0]}`;
}

function rotationText(meta: KeyMetadata, interval = intervalText(meta.rotationInterval)): string {
  if (meta.automaticRotation === 'Disabled') return 'manual';
  return `${meta.automaticRotation.toLowerCase()} every ${interval}${meta.nextRotationDate ? `, next ${meta.nextRotationDate}` : ''}`;
}

/** The lines of `dek key describe` (and `create`); `interval` shows the rotation period as the user gave it. */
function describeLines(meta: KeyMetadata, aliases: readonly string[], versions: readonly KeyVersion[], interval?: string): string[] {
  const lines = [
    `key id:           ${meta.keyId}`,
    `aliases:          ${aliases.join(', ') || '-'}`,
    `state:            ${meta.keyState}${meta.deleteDate ? ` (deleted on ${meta.deleteDate})` : ''}`,
    `spec:             ${meta.keySpec} (${meta.keyUsage})`,
    `primary version:  ${meta.primaryKeyVersion}`,
    `created:          ${meta.creationDate}`,
    `last rotation:    ${meta.lastRotationDate}`,
    `rotation:         ${rotationText(meta, interval)}`,
  ];
  if (meta.description) lines.push(`description:      ${meta.description}`);
  if (versions.length > 0) {
    lines.push(`versions:         ${versions.length}`);
    for (const version of versions) {
      lines.push(`  ${version.keyVersionId}  ${version.creationDate}${version.keyVersionId === meta.primaryKeyVersion ? '  (primary)' : ''}`);
    }
  }
  return lines;
}

/** `dek key create`: a key, optionally with an alias and a rotation policy. */
export async function runKeyCreate(context: Context, flags: KeyCreateFlags): Promise<void> {
  const rotate = flags.rotate === undefined ? undefined : parseRotation(flags.rotate);
  if (flags.alias !== undefined && !/^alias\/[a-zA-Z0-9:/_-]{1,255}$/.test(flags.alias)) {
    throw usageError(`--alias '${flags.alias}' is not an alias name`, 'an alias is alias/ followed by letters, digits, and : / _ -, e.g. alias/backup');
  }
  await withKms(context, { init: 'never', admin: true }, async (session) => {
    const admin = requireAdmin(context, session);
    if (flags.alias !== undefined && (await aliasTarget(admin, flags.alias)) !== undefined) {
      throw new CliError('DEK_USAGE', `alias '${flags.alias}' already exists`, { exitCode: EXIT.USAGE, hint: "pick another alias, or see which key has it with 'dek key list'" });
    }
    const { keyMetadata } = await admin.createKey({
      keySpec: flags.spec as KeySpec,
      ...(flags.usage !== undefined ? { keyUsage: flags.usage as KeyUsage } : {}),
      ...(flags.description !== undefined ? { description: flags.description } : {}),
      ...(rotate !== undefined ? { enableAutomaticRotation: true, rotationInterval: rotate } : {}),
    });
    if (flags.alias !== undefined) await admin.createAlias({ aliasName: flags.alias, keyId: keyMetadata.keyId });
    const aliases = flags.alias !== undefined ? [flags.alias] : [];
    if (flags.json) printJson({ ...keyMetadata, aliases });
    else printLines(describeLines(keyMetadata, aliases, [], rotate));
  });
}

/** The key an alias points to, or undefined when the alias does not exist. */
async function aliasTarget(admin: KeyAdministration, alias: string): Promise<string | undefined> {
  try {
    return (await admin.describeKey({ keyId: alias })).keyMetadata.keyId;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'Forbidden.AliasNotFound' || code === 'Forbidden.KeyNotFound') return undefined;
    throw error;
  }
}

/** `dek key list`: every key with state, spec, primary version, rotation and aliases. */
export async function runKeyList(context: Context, flags: { json?: boolean }): Promise<void> {
  await withKms(context, { init: 'never', admin: true }, async (session) => {
    const admin = requireAdmin(context, session);
    const keys = await allPages(async (pageNumber) => {
      const r = await admin.listKeys({ pageNumber, pageSize: 100 });
      return { totalCount: r.totalCount, items: r.keys };
    });
    const aliases = await allAliases(admin);
    const rows = [];
    for (const { keyId } of keys) {
      const { keyMetadata } = await admin.describeKey({ keyId });
      rows.push({ ...keyMetadata, aliases: aliases.filter((a) => a.keyId === keyId).map((a) => a.aliasName) });
    }
    if (flags.json) {
      printJson(rows);
      return;
    }
    printTable(
      ['KEY ID', 'STATE', 'SPEC', 'PRIMARY VERSION', 'ROTATION', 'ALIASES'],
      rows.map((row) => [row.keyId, row.keyState, row.keySpec, row.primaryKeyVersion, row.automaticRotation === 'Disabled' ? 'manual' : intervalText(row.rotationInterval), row.aliases.join(',') || '-']),
    );
  });
}

/** `dek key describe <key>`. */
export async function runKeyDescribe(context: Context, ref: string, flags: { json?: boolean }): Promise<void> {
  const keyRef = parseKeyRef(ref, 'key');
  await withKms(context, { init: 'never', admin: true }, async (session) => {
    const admin = requireAdmin(context, session);
    const { keyMetadata } = await admin.describeKey({ keyId: keyRef });
    const [aliases, versions] = [await aliasesOf(admin, keyMetadata.keyId), await versionsOf(admin, keyMetadata.keyId)];
    if (flags.json) printJson({ ...keyMetadata, aliases, versions });
    else printLines(describeLines(keyMetadata, aliases, versions));
  });
}

/** `dek key rotate <key>`: a new primary version. */
export async function runKeyRotate(context: Context, ref: string): Promise<void> {
  const keyRef = parseKeyRef(ref, 'key');
  await withKms(context, { init: 'never', admin: true }, async (session) => {
    const admin = requireAdmin(context, session);
    const { keyMetadata } = await admin.describeKey({ keyId: keyRef });
    const { keyVersion } = await admin.createKeyVersion({ keyId: keyMetadata.keyId });
    printLines([`${keyMetadata.keyId}: new primary version ${keyVersion.keyVersionId}`]);
  });
}

/** `dek key enable|disable <key>`. */
export async function runKeySetEnabled(context: Context, ref: string, enabled: boolean): Promise<void> {
  const keyRef = parseKeyRef(ref, 'key');
  await withKms(context, { init: 'never', admin: true }, async (session) => {
    const admin = requireAdmin(context, session);
    const { keyMetadata } = await admin.describeKey({ keyId: keyRef });
    if (enabled) await admin.enableKey({ keyId: keyMetadata.keyId });
    else await admin.disableKey({ keyId: keyMetadata.keyId });
    printLines([`${keyMetadata.keyId}: ${enabled ? 'enabled' : 'disabled'}`]);
  });
}
