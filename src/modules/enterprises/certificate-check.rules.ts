import { competencyCategories } from '../../catalog/operations.js';
import type { CertificateKind, CertificateState } from '../certificates/certificates.contract.js';
import type { Post } from '../registry/registry.contract.js';
import type { CertificateCheckFlag, CertificateCheckOutcome } from './enterprises.contract.js';

/** The post (and item) a certificate must cover. */
export interface PostFacts {
  post: Post;
  operationItemCode: string | null;
}

/** A certificate the registry holds under a number, with its state computed on the check's day. */
export interface RegistryCertificate {
  id: string;
  personId: string;
  kind: CertificateKind;
  operationItemCode: string;
  state: CertificateState;
  validUntil: string;
}

export interface CheckResult {
  outcome: CertificateCheckOutcome;
  flag: CertificateCheckFlag | null;
  certificateId: string | null;
  message: string;
}

const managerPosts: readonly Post[] = ['principal', 'safety_director', 'safety_manager'];
const competencyPostOf = (post: Post) => (post === 'principal' ? 'principal' : 'safety_manager');

/**
 * Whether a certificate is the one a post needs: a special operator the 操作证 of their item, a
 * principal or safety manager the 合格证 of their post (安全总监 counts as safety management).
 */
export function certificateCovers(
  post: PostFacts,
  c: { kind: CertificateKind; operationItemCode: string },
): boolean {
  if (post.post === 'special_operator')
    return c.kind === 'special_operation' && c.operationItemCode === post.operationItemCode;
  if (managerPosts.includes(post.post)) {
    const category = competencyCategories.find((k) => k.code === c.operationItemCode);
    return c.kind === 'competency' && category?.post === competencyPostOf(post.post);
  }
  return false;
}

/**
 * A declared certificate number judged against the registry (issue 14 point 2): not in the
 * registry or someone else's → 持假证; another item, revoked or cancelled → 无证上岗 (no valid
 * certificate for this work); past its validity or review → 证书过期.
 */
export function judgeDeclaredCertificate(
  declared: { number: string; personId: string },
  post: PostFacts,
  found: readonly RegistryCertificate[],
): CheckResult {
  if (found.length === 0)
    return {
      outcome: 'not_found',
      flag: 'fake',
      certificateId: null,
      message: `证书编号 ${declared.number} 在证书库中不存在（持假证）`,
    };
  const own = found.filter((c) => c.personId === declared.personId);
  if (own.length === 0)
    return {
      outcome: 'other_holder',
      flag: 'fake',
      certificateId: found[0].id,
      message: `证书编号 ${declared.number} 属于他人（持假证）`,
    };
  const covering = own.find((c) => certificateCovers(post, c));
  if (!covering)
    return {
      outcome: 'other_item',
      flag: 'uncertified',
      certificateId: own[0].id,
      message: `证书 ${declared.number} 的作业项目与所在岗位不符（无证上岗）`,
    };
  const c = covering;
  switch (c.state) {
    case 'valid':
    case 'review_due':
      return {
        outcome: c.state,
        flag: null,
        certificateId: c.id,
        message: c.state === 'valid' ? '证书有效' : '证书有效，即将到期复审',
      };
    case 'revoked':
    case 'cancelled':
      return {
        outcome: c.state,
        flag: 'uncertified',
        certificateId: c.id,
        message: `证书 ${declared.number} 已${c.state === 'revoked' ? '撤销' : '注销'}（无证上岗）`,
      };
    case 'expired':
      return {
        outcome: 'expired',
        flag: 'expired',
        certificateId: c.id,
        message: `证书 ${declared.number} 已过期或未按期复审（证书过期）`,
      };
  }
}
