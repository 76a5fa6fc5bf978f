import { z } from 'zod';
import { DomainError, fieldErrorsFrom } from '../policy.errors';
import { JURISDICTION_LEVELS, type JurisdictionLevel, inferLevel, isOcdId, pathParentOf } from '../ocd-id';
import type { JurisdictionState } from './jurisdiction';
import type { JurisdictionEvent } from './jurisdiction.events';

export interface RegisterJurisdiction {
  type: 'RegisterJurisdiction';
  data: {
    id: string;
    name: string;
    /** Defaults to `inferLevel(id)`; required when that cannot tell. */
    level?: JurisdictionLevel;
    /**
     * Defaults to the id's path parent. Give it explicitly only when the real parent differs
     * (a consolidated government); a country must have none.
     */
    parentId?: string | null;
  };
}

export type JurisdictionCommand = RegisterJurisdiction;

/** What the handler looked up for `decide`: whether `resolveParentId(command)` is registered. */
export interface JurisdictionDecideContext {
  parentExists: boolean;
}

/** The parent the command asks for (explicit, else by path); null for a country. */
export function resolveParentId(command: RegisterJurisdiction): string | null {
  return command.data.parentId ?? pathParentOf(command.data.id);
}

const nameSchema = z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters');

export function decideJurisdiction(
  command: JurisdictionCommand,
  state: JurisdictionState,
  context: JurisdictionDecideContext,
): JurisdictionEvent[] {
  const { id } = command.data;
  if (!isOcdId(id)) {
    throw new DomainError('JURISDICTION.INVALID_ID', `"${id}" is not a valid OCD division id`, {
      errors: [{ path: 'id', message: 'must look like ocd-division/country:us/state:ca (lower case)' }],
    });
  }
  const name = nameSchema.safeParse(command.data.name);
  if (!name.success) {
    throw new DomainError('JURISDICTION.INVALID', 'invalid jurisdiction', { errors: fieldErrorsFrom(name.error, 'name') });
  }
  const level = command.data.level ?? inferLevel(id);
  if (!level || !(JURISDICTION_LEVELS as readonly string[]).includes(level)) {
    throw new DomainError('JURISDICTION.INVALID', 'invalid jurisdiction', {
      errors: [{ path: 'level', message: `must be one of ${JURISDICTION_LEVELS.join(', ')} (cannot be inferred from the id)` }],
    });
  }
  if (state) {
    throw new DomainError('JURISDICTION.ALREADY_EXISTS', `jurisdiction ${id} is already registered`, { details: { id } });
  }

  const parentId = resolveParentId(command);
  const isCountry = pathParentOf(id) === null;
  if (isCountry && parentId !== null) {
    throw invalidParent(id, parentId, 'a country has no parent');
  }
  if (parentId !== null) {
    if (!isOcdId(parentId)) throw invalidParent(id, parentId, 'parent is not a valid OCD division id');
    if (parentId === id || parentId.startsWith(`${id}/`)) {
      throw invalidParent(id, parentId, 'a jurisdiction cannot be its own parent or descendant');
    }
    // Consolidated governments may pick another parent, but never across countries.
    if (parentId.split('/')[1] !== id.split('/')[1]) {
      throw invalidParent(id, parentId, 'parent must be in the same country');
    }
  }
  // Checked last: a well-formed parent that is simply not registered (yet) is an unknown
  // reference, like an unknown jurisdiction named in an action, not a malformed request.
  if (parentId !== null && !context.parentExists) {
    throw new DomainError('JURISDICTION.UNKNOWN', `parent ${parentId} is not registered`, {
      errors: [{ path: 'parentId', message: `jurisdiction ${parentId} is not registered` }],
      details: { id, parentId },
    });
  }

  return [{ type: 'JurisdictionRegistered', data: { id, name: name.data, level, parentId } }];
}

function invalidParent(id: string, parentId: string, message: string): DomainError {
  return new DomainError('JURISDICTION.INVALID_PARENT', message, {
    errors: [{ path: 'parentId', message }],
    details: { id, parentId },
  });
}
