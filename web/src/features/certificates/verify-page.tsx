import { CameraOutlined, PictureOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Layout,
  Result,
  Space,
  Tabs,
  Typography,
} from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { ApiError, api } from '../../lib/api-client';
import { fmtDateTime } from '../../lib/beijing-time';
import {
  type PublicCertificate,
  type PublicVerifyAnswer,
  type PublicVerifyQrAnswer,
  StateTag,
  stateHex,
} from './shared';

type Answer =
  | (PublicVerifyAnswer & { signatureValid?: undefined; cardCurrent?: undefined })
  | (PublicVerifyQrAnswer & { certificates?: undefined });

function CertificateCard({
  c,
  answer,
  primary,
}: {
  c: PublicCertificate;
  answer: Answer;
  primary: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Card
      size="small"
      data-testid="verify-certificate"
      data-state={c.state}
      style={{ borderLeft: `6px solid ${stateHex[c.state]}`, marginTop: primary ? 0 : 8 }}
      title={
        <Space wrap size={4}>
          <StateTag state={c.state} since={c.stateSince} />
          <Typography.Text strong>{t(`verify.kinds.${c.kind}`)}</Typography.Text>
        </Space>
      }
    >
      <Descriptions
        size="small"
        column={1}
        colon={false}
        labelStyle={{ width: 88, color: '#8c8c8c' }}
      >
        {primary && answer.signatureValid && (
          <Descriptions.Item label={t('verify.signature')}>
            {t('verify.signatureValid')}
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('verify.holder')}>
          <Typography.Text strong>{c.holderNameMasked}</Typography.Text>
          <Typography.Text type="secondary">{` · ${c.idNumberMasked}`}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('verify.number')}>{c.number}</Descriptions.Item>
        <Descriptions.Item label={t('verify.item')}>{c.operationItem.name}</Descriptions.Item>
        <Descriptions.Item label={t('verify.authority')}>{c.issuingAuthority}</Descriptions.Item>
        <Descriptions.Item
          label={t('verify.validity')}
        >{`${c.issuedOn} ~ ${c.validUntil}`}</Descriptions.Item>
        {c.reviewDue && (
          <Descriptions.Item label={t('verify.reviewDue')}>{c.reviewDue}</Descriptions.Item>
        )}
      </Descriptions>
    </Card>
  );
}

/** Reads a QR with the rear camera (qr/dom.js); loaded only when asked for, so the page stays small. */
function useQrScanner(onResult: (text: string) => void) {
  const video = useRef<HTMLVideoElement>(null);
  const [scanning, setScanning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stopRef = useRef<() => void>(() => {});
  const stop = () => {
    stopRef.current();
    stopRef.current = () => {};
    setScanning(false);
  };
  useEffect(() => () => stopRef.current(), []);
  const start = async (failure: string) => {
    setError(null);
    if (!video.current || !navigator.mediaDevices) {
      setError(failure);
      return;
    }
    try {
      setScanning(true);
      const { QRCanvas, frameLoop, rearCamera } = await import('qr/dom.js');
      const camera = await rearCamera(video.current);
      const canvas = new QRCanvas();
      let busy = false;
      const cancel = frameLoop(() => {
        if (busy) return;
        busy = true;
        void camera.readFrame(canvas).then((found) => {
          busy = false;
          if (typeof found === 'string' && found) {
            stop();
            onResult(found);
          }
        });
      });
      stopRef.current = () => {
        cancel();
        camera.stop();
      };
    } catch {
      setScanning(false);
      setError(failure);
    }
  };
  const fromPhoto = async (file: File, failure: string) => {
    setError(null);
    try {
      const { default: decodeQR } = await import('qr/decode.js');
      const bitmap = await createImageBitmap(file);
      const canvas = document.createElement('canvas');
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      onResult(
        decodeQR(ctx.getImageData(0, 0, bitmap.width, bitmap.height), {
          effort: Number.POSITIVE_INFINITY,
          timeLimit: Number.POSITIVE_INFINITY,
        }),
      );
    } catch {
      setError(failure);
    }
  };
  return { video, scanning, error, start, stop, fromPhoto };
}

/** 证书核验 without an account: by number + name, or by the QR payload (scanned, read from a photo, or pasted). */
export function VerifyPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const [tab, setTab] = useState(params.get('qr') ? 'qr' : 'number');
  const [qrForm] = Form.useForm<{ payload: string }>();
  const byNumber = useMutation({
    mutationFn: (v: { number: string; name: string }) =>
      api.get<PublicVerifyAnswer>('/api/public/verify', v),
  });
  const byQr = useMutation({
    mutationFn: (v: { payload: string }) =>
      api.post<PublicVerifyQrAnswer>('/api/public/verify-qr', v),
  });
  const checkQr = (payload: string) => {
    byNumber.reset();
    qrForm.setFieldsValue({ payload });
    byQr.mutate({ payload: payload.trim() });
  };
  const scanner = useQrScanner(checkQr);
  const photoInput = useRef<HTMLInputElement>(null);
  // A link like /verify?qr=ZX1.… (for instance from a phone's camera app) is checked at once.
  const initial = useRef(params.get('qr'));
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once for the link it was opened with
  useEffect(() => {
    if (initial.current) checkQr(initial.current);
  }, []);
  const answer: Answer | undefined = byNumber.data ?? byQr.data;
  const error = byNumber.error ?? byQr.error;
  const others = answer?.certificates?.slice(1) ?? [];
  return (
    <Layout
      style={{
        minHeight: '100vh',
        padding: 12,
        background: 'linear-gradient(180deg,#fbeeee,#fff)',
      }}
    >
      <Card
        title={
          <span>
            <SafetyCertificateOutlined /> {t('verify.title')}
          </span>
        }
        extra={<Link to="/login">{t('login.title')}</Link>}
        style={{ maxWidth: 560, width: '100%', margin: '0 auto' }}
      >
        <Typography.Paragraph type="secondary">{t('verify.hint')}</Typography.Paragraph>
        <Tabs
          activeKey={tab}
          onChange={(k) => {
            setTab(k);
            scanner.stop();
            byNumber.reset();
            byQr.reset();
          }}
          items={[
            {
              key: 'number',
              label: t('verify.byNumber'),
              children: (
                <Form
                  layout="vertical"
                  data-testid="verify-number-form"
                  onFinish={(v: { number: string; name: string }) => {
                    byQr.reset();
                    byNumber.mutate({ number: v.number.trim(), name: v.name.trim() });
                  }}
                >
                  <Form.Item
                    name="number"
                    label={t('verify.number')}
                    rules={[{ required: true, whitespace: true }]}
                  >
                    <Input
                      autoComplete="off"
                      autoCapitalize="characters"
                      inputMode="text"
                      size="large"
                    />
                  </Form.Item>
                  <Form.Item
                    name="name"
                    label={t('verify.name')}
                    rules={[{ required: true, whitespace: true }]}
                  >
                    <Input autoComplete="off" size="large" />
                  </Form.Item>
                  <Button
                    type="primary"
                    htmlType="submit"
                    block
                    size="large"
                    loading={byNumber.isPending}
                  >
                    {t('verify.submit')}
                  </Button>
                </Form>
              ),
            },
            {
              key: 'qr',
              label: t('verify.byQr'),
              children: (
                <>
                  <Space wrap style={{ marginBottom: 12 }}>
                    {scanner.scanning ? (
                      <Button onClick={scanner.stop} data-testid="verify-scan-stop">
                        {t('verify.stopScan')}
                      </Button>
                    ) : (
                      <Button
                        icon={<CameraOutlined />}
                        onClick={() => void scanner.start(t('verify.cameraUnavailable'))}
                        data-testid="verify-scan"
                      >
                        {t('verify.scan')}
                      </Button>
                    )}
                    <Button icon={<PictureOutlined />} onClick={() => photoInput.current?.click()}>
                      {t('verify.photo')}
                    </Button>
                    <input
                      ref={photoInput}
                      type="file"
                      accept="image/*"
                      capture="environment"
                      hidden
                      onChange={(e) => {
                        const file = e.target.files?.[0];
                        if (file) void scanner.fromPhoto(file, t('verify.scanFailed'));
                        e.target.value = '';
                      }}
                    />
                  </Space>
                  <video
                    ref={scanner.video}
                    muted
                    playsInline
                    style={{
                      width: '100%',
                      maxHeight: 320,
                      background: '#000',
                      borderRadius: 8,
                      display: scanner.scanning ? 'block' : 'none',
                      marginBottom: 12,
                    }}
                  />
                  {scanner.error && (
                    <Alert
                      type="warning"
                      showIcon
                      message={scanner.error}
                      style={{ marginBottom: 12 }}
                    />
                  )}
                  <Form
                    form={qrForm}
                    layout="vertical"
                    data-testid="verify-qr-form"
                    onFinish={(v) => checkQr(v.payload)}
                    initialValues={{ payload: params.get('qr') ?? '' }}
                  >
                    <Form.Item
                      name="payload"
                      label={t('verify.payload')}
                      rules={[{ required: true, whitespace: true }]}
                      extra={t('verify.payloadHint')}
                    >
                      <Input.TextArea
                        rows={4}
                        autoComplete="off"
                        spellCheck={false}
                        style={{ fontFamily: 'monospace', fontSize: 12 }}
                      />
                    </Form.Item>
                    <Button
                      type="primary"
                      htmlType="submit"
                      block
                      size="large"
                      loading={byQr.isPending}
                    >
                      {t('verify.submit')}
                    </Button>
                  </Form>
                </>
              ),
            },
          ]}
        />
        {error && (
          <Alert
            type="error"
            showIcon
            style={{ marginTop: 16 }}
            message={
              error instanceof ApiError && error.status === 429
                ? t('verify.tooMany')
                : (error as Error).message
            }
          />
        )}
        {answer && (
          <div
            data-testid="verify-result"
            data-found={answer.found}
            data-state={answer.certificate?.state ?? ''}
            style={{ marginTop: 16 }}
          >
            {answer.found && answer.certificate ? (
              <>
                {answer.cardCurrent === false && (
                  <Alert
                    type="warning"
                    showIcon
                    message={t('verify.cardReplaced')}
                    style={{ marginBottom: 8 }}
                  />
                )}
                <CertificateCard c={answer.certificate} answer={answer} primary />
                {others.length > 0 && (
                  <>
                    <Typography.Text type="secondary" style={{ display: 'block', marginTop: 12 }}>
                      {t('verify.more')}
                    </Typography.Text>
                    {others.map((c) => (
                      <CertificateCard
                        key={`${c.operationItem.code}-${c.issuedOn}`}
                        c={c}
                        answer={answer}
                        primary={false}
                      />
                    ))}
                  </>
                )}
                <Typography.Text
                  type="secondary"
                  style={{ display: 'block', marginTop: 8, fontSize: 12 }}
                >
                  {`${t('verify.checkedAt')} ${fmtDateTime(answer.checkedAt)}`}
                </Typography.Text>
              </>
            ) : (
              <Result
                status="warning"
                title={
                  answer.signatureValid === false ? t('verify.badSignature') : t('verify.notFound')
                }
                subTitle={t('verify.notFoundHint')}
              />
            )}
          </div>
        )}
      </Card>
    </Layout>
  );
}
