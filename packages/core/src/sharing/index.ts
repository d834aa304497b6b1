export {
  type CreateShareInput,
  createShareInput,
  type DeletedShare,
  type DeleteShareInput,
  deletedShareSchema,
  deleteShareInput,
  type ListSharesInput,
  listSharesInput,
  type ShareDto,
  shareSchema,
} from './schemas.ts';
export { createShare, deleteShare, listShares } from './share-service.ts';
