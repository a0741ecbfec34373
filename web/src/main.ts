// Entry point: styles, then the app.
import '@xterm/xterm/css/xterm.css';
import './styles.css';
import { h, render } from 'preact';
import { App } from './ui/App.ts';

const root = document.getElementById('app');
if (root === null) throw new Error('#app is missing from index.html');
render(h(App, null), root);
