import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './app/app.css';
import './app/i18n';
import { Providers } from './app/providers';
import { AppRouter } from './app/router';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Providers>
      <AppRouter />
    </Providers>
  </StrictMode>,
);
