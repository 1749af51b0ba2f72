import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initApi, getWsClient } from './api.ts';
import { startSync } from './stores/sync.ts';
import { startLedgerSync } from './actions/ledger.ts';
import { App } from './App.tsx';
import './styles.css';

const api = initApi();
startSync(api, getWsClient());
startLedgerSync(api);

const root = document.getElementById('root');
if (!root) throw new Error('The page has no #root element.');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
