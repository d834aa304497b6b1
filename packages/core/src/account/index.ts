export { deleteAccount } from './delete-account.ts';
export { exportUserData } from './export-user-data.ts';
export {
  type DeleteAccountInput,
  type DeletedAccount,
  deleteAccountInput,
  deletedAccountSchema,
  EXPORT_RECORD_TYPES,
  type ExportRecord,
  type ExportRecordType,
  type ExportUserDataOptions,
  exportRecordSchema,
  exportUserDataOptionsSchema,
} from './schemas.ts';
