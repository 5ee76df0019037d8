import { Alert, Button, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { isRouteErrorResponse, useRouteError } from 'react-router';

/** A chunk that no longer exists on the server: the app was upgraded while this tab stayed open. */
function isStaleChunk(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /dynamically imported module|Importing a module script failed/i.test(message);
}

/**
 * What a route shows when its page throws or its code cannot be fetched (errorElement). An Alert,
 * not antd's Result: Result carries its status illustrations into the login page's first load.
 */
export function RouteError() {
  const { t } = useTranslation();
  const error = useRouteError();
  const stale = isStaleChunk(error);
  const detail = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : undefined;
  return (
    <Alert
      type="error"
      showIcon
      style={{ maxWidth: 720, margin: '24px auto' }}
      message={t('routeError.title')}
      description={
        <Space direction="vertical" style={{ width: '100%' }}>
          <span>{stale ? t('routeError.updated') : t('routeError.hint')}</span>
          {!stale && detail && (
            <pre
              style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', margin: 0, fontSize: 12 }}
            >
              {detail}
            </pre>
          )}
          <Space wrap>
            <Button type="primary" onClick={() => window.location.reload()}>
              {t('routeError.reload')}
            </Button>
            <Button href="/">{t('routeError.home')}</Button>
          </Space>
        </Space>
      }
    />
  );
}
