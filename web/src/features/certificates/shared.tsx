import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type {
  CertificateDetail,
  CertificateState,
  CertificateSummary,
  FakeSignal,
  PublicCertificate,
  PublicVerifyAnswer,
  PublicVerifyQrAnswer,
  Reminder,
} from '../../../../src/modules/certificates/certificates.contract.js';

export type {
  CertificateDetail,
  CertificateState,
  CertificateSummary,
  FakeSignal,
  PublicCertificate,
  PublicVerifyAnswer,
  PublicVerifyQrAnswer,
  Reminder,
};

/** One colour per state wherever a certificate shows: green in force, orange act now, red revoked, grey over. */
export const stateColor: Record<CertificateState, string> = {
  valid: 'green',
  review_due: 'orange',
  expired: 'default',
  revoked: 'red',
  cancelled: 'default',
};
export const stateHex: Record<CertificateState, string> = {
  valid: '#389e0d',
  review_due: '#d46b08',
  expired: '#8c8c8c',
  revoked: '#cf1322',
  cancelled: '#8c8c8c',
};

export function StateTag({ state, since }: { state: CertificateState; since?: string | null }) {
  const { t } = useTranslation();
  return (
    <Tag color={stateColor[state]} data-state={state}>
      {t(`verify.states.${state}`)}
      {since && state !== 'valid' ? ` · ${t('verify.since')} ${since}` : ''}
    </Tag>
  );
}
