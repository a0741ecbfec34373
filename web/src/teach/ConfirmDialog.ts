// A modal confirmation (the native <dialog>: focus trap, Escape and the backdrop come with it).
import { h, type ComponentChildren, type JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n.ts';

/** Props of ConfirmDialog. */
export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  confirmLabel: string;
  /** The confirm button is red: the action loses something (a student's files, an old join code). */
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children?: ComponentChildren;
}

/** Asks before doing something that cannot be undone. */
export function ConfirmDialog(props: ConfirmDialogProps): JSX.Element {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (props.open && !dialog.open) dialog.showModal();
    else if (!props.open && dialog.open) dialog.close();
  }, [props.open]);

  return h(
    'dialog',
    {
      ref,
      class: 'confirm-dialog',
      'data-testid': 'confirm-dialog',
      'aria-labelledby': 'confirm-dialog-title',
      // Escape closes the dialog natively; tell the owner so its state follows.
      onCancel: (e: Event) => {
        e.preventDefault();
        props.onCancel();
      },
    },
    h('h2', { id: 'confirm-dialog-title' }, props.title),
    h('div', { class: 'confirm-body' }, props.children),
    h(
      'div',
      { class: 'actions confirm-actions' },
      h(
        'button',
        { type: 'button', class: 'btn', 'data-testid': 'confirm-cancel', onClick: props.onCancel },
        t('cancel'),
      ),
      h(
        'button',
        {
          type: 'button',
          class: props.danger === true ? 'btn btn-danger' : 'btn btn-primary',
          'data-testid': 'confirm-ok',
          onClick: props.onConfirm,
        },
        props.confirmLabel,
      ),
    ),
  );
}
