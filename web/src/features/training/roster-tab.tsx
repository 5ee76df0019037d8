import { List, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useIsPhone } from '../../lib/use-media';
import type { ClassDetail } from './shared';

/** The class roster: enrolled trainees with masked ID numbers (the full number stays on the server). */
export function RosterTab({ cls }: { cls: ClassDetail; canEdit: boolean }) {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  if (cls.roster.length === 0) return <Typography.Text type="secondary">{t('training.roster.empty')}</Typography.Text>;
  if (isPhone) {
    return <List size="small" dataSource={cls.roster} renderItem={(r) => <List.Item>{`${r.name} · ${r.idNumberMasked}`}</List.Item>} />;
  }
  return (
    <Table
      size="small"
      rowKey="personId"
      pagination={false}
      dataSource={cls.roster}
      columns={[
        { title: t('training.ledger.name'), dataIndex: 'name' },
        { title: t('training.roster.idNumber'), dataIndex: 'idNumberMasked' },
      ]}
    />
  );
}
