import {
  CameraOutlined,
  DeleteOutlined,
  SafetyCertificateOutlined,
  UploadOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Modal,
  Popconfirm,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../lib/api-client';
import { useFaceHint } from './use-face-hint';

interface Verification {
  id: string;
  at: string;
  source: string;
  context: string;
  score: number | null;
  realScore: number | null;
  liveScore: number | null;
  decision: string;
  reasons: string[];
}
interface VerifyResult {
  decision: string;
  score: number | null;
  message: string;
  reasons: string[];
  threshold: number;
}

const decisionColor: Record<string, string> = {
  match: 'green',
  mismatch: 'red',
  review: 'orange',
  refused: 'default',
};

/**
 * Camera capture: the browser only frames and sends a JPEG; the server detects, compares and decides.
 * The stream is stopped as soon as the modal closes, so the camera light goes off.
 */
export function CameraModal({
  title,
  onCapture,
  onClose,
  busy,
}: {
  title: string;
  onCapture: (jpegBase64: string) => void;
  onClose: () => void;
  busy: boolean;
}) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  const hint = useFaceHint(video, ready);
  useEffect(() => {
    let stream: MediaStream | undefined;
    navigator.mediaDevices
      ?.getUserMedia({ video: { width: 640, height: 480, facingMode: 'user' }, audio: false })
      .then((s) => {
        stream = s;
        if (video.current) {
          video.current.srcObject = s;
          void video.current.play();
        }
      })
      .catch((e: Error) => setError(`${t('faces.noCamera')}: ${e.message}`));
    return () => {
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [t]);
  function capture() {
    const v = video.current;
    if (!v?.videoWidth) return;
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    canvas.getContext('2d')?.drawImage(v, 0, 0);
    onCapture(canvas.toDataURL('image/jpeg', 0.92).split(',')[1]);
  }
  return (
    <Modal open title={title} onCancel={onClose} footer={null} destroyOnHidden>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <video
        ref={video}
        playsInline
        muted
        onLoadedData={() => setReady(true)}
        style={{ width: '100%', background: '#000', borderRadius: 8 }}
      />
      <Alert
        style={{ marginTop: 8 }}
        type={
          hint === 'one'
            ? 'success'
            : hint === 'loading' || hint === 'unavailable'
              ? 'info'
              : 'warning'
        }
        message={t(`faces.hints.${hint}`)}
        showIcon
      />
      <Button
        type="primary"
        block
        icon={<CameraOutlined />}
        style={{ marginTop: 12 }}
        disabled={!ready}
        loading={busy}
        onClick={capture}
      >
        {t('faces.capture')}
      </Button>
    </Modal>
  );
}

export function FacePanel({ personId, canCapture }: { personId: string; canCapture: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [mode, setMode] = useState<'enroll' | 'verify' | null>(null);
  const [last, setLast] = useState<VerifyResult | null>(null);
  const log = useQuery({
    queryKey: ['face-log', personId],
    queryFn: () =>
      api.get<{ items: Verification[]; templates: number }>(
        `/api/persons/${personId}/face/verifications`,
      ),
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['face-log', personId] });
  const onError = (e: unknown) => message.error(e instanceof ApiError ? e.message : String(e));
  const enroll = useMutation({
    mutationFn: (image: string) =>
      api.post<{ templates: number }>(`/api/persons/${personId}/face`, {
        image,
        context: 'enrollment',
      }),
    onSuccess: async () => {
      message.success(t('faces.enrolled'));
      setMode(null);
      await refresh();
    },
    onError,
  });
  const verify = useMutation({
    mutationFn: (image: string) =>
      api.post<VerifyResult>(`/api/persons/${personId}/face/verify`, { image, context: 'manual' }),
    onSuccess: async (r) => {
      setLast(r);
      setMode(null);
      await refresh();
    },
    onError,
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/api/persons/${personId}/face`),
    onSuccess: async () => {
      message.success(t('faces.deleted'));
      setLast(null);
      await refresh();
    },
    onError,
  });
  const templates = log.data?.templates ?? 0;
  return (
    <>
      <Space wrap align="center" style={{ marginBottom: 12 }}>
        <Statistic title={t('faces.templates')} value={templates} />
        {canCapture && (
          <>
            <Button icon={<CameraOutlined />} onClick={() => setMode('enroll')}>
              {t('faces.enroll')}
            </Button>
            <Upload
              accept="image/jpeg"
              showUploadList={false}
              beforeUpload={(file) => {
                // A registration photo on file (JPEG) is enrolled like a camera frame; the server checks it the same way.
                const reader = new FileReader();
                reader.onload = () => enroll.mutate(String(reader.result).split(',')[1]);
                reader.readAsDataURL(file);
                return false;
              }}
            >
              <Button icon={<UploadOutlined />} loading={enroll.isPending}>
                {t('faces.upload')}
              </Button>
            </Upload>
            <Button
              icon={<SafetyCertificateOutlined />}
              disabled={templates === 0}
              onClick={() => setMode('verify')}
            >
              {t('faces.verify')}
            </Button>
            <Popconfirm
              title={t('faces.deleteConfirm')}
              onConfirm={() => remove.mutate()}
              disabled={templates === 0}
            >
              <Button danger icon={<DeleteOutlined />} disabled={templates === 0}>
                {t('faces.delete')}
              </Button>
            </Popconfirm>
          </>
        )}
      </Space>
      {last && (
        <Alert
          showIcon
          type={
            last.decision === 'match' ? 'success' : last.decision === 'review' ? 'warning' : 'error'
          }
          message={last.message}
          description={
            last.score !== null
              ? `${t('faces.score')} ${last.score.toFixed(3)} / ${t('faces.threshold')} ${last.threshold}`
              : last.reasons.join(', ')
          }
          style={{ marginBottom: 12 }}
        />
      )}
      <Typography.Title level={5}>{t('faces.log')}</Typography.Title>
      <Table<Verification>
        rowKey="id"
        size="small"
        loading={log.isLoading}
        scroll={{ x: true }}
        pagination={{ pageSize: 10 }}
        dataSource={log.data?.items ?? []}
        columns={[
          {
            title: t('faces.at'),
            dataIndex: 'at',
            render: (v: string) => new Date(v).toLocaleString(),
          },
          {
            title: t('faces.decision'),
            dataIndex: 'decision',
            render: (d: string) => <Tag color={decisionColor[d]}>{t(`faces.decisions.${d}`)}</Tag>,
          },
          {
            title: t('faces.score'),
            dataIndex: 'score',
            render: (s: number | null) => (s === null ? '—' : s.toFixed(3)),
          },
          {
            title: t('faces.real'),
            dataIndex: 'realScore',
            render: (s: number | null) => (s === null ? '—' : s.toFixed(2)),
          },
          {
            title: t('faces.source'),
            dataIndex: 'source',
            render: (s: string) => t(`faces.sources.${s}`),
          },
          {
            title: t('faces.context'),
            dataIndex: 'context',
            render: (c: string) => t(`faces.contexts.${c}`, { defaultValue: c }),
          },
          {
            title: t('faces.reasons'),
            dataIndex: 'reasons',
            render: (r: string[]) =>
              r.map((code) => t(`faces.reasonLabels.${code}`, { defaultValue: code })).join('、'),
          },
        ]}
      />
      {mode && (
        <CameraModal
          title={mode === 'enroll' ? t('faces.enroll') : t('faces.verify')}
          busy={enroll.isPending || verify.isPending}
          onClose={() => setMode(null)}
          onCapture={(image) => (mode === 'enroll' ? enroll.mutate(image) : verify.mutate(image))}
        />
      )}
    </>
  );
}
