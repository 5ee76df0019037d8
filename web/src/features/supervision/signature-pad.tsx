import { Button } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

const HEIGHT = 160;

/**
 * The inspected party signs with a finger on the phone: a canvas that takes pointer strokes and
 * answers the drawing as PNG (base64), or null while empty.
 */
export function SignaturePad({ onChange }: { onChange: (pngBase64: string | null) => void }) {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const drawn = useRef(false);

  useEffect(() => {
    const c = canvas.current!;
    const ratio = window.devicePixelRatio || 1;
    c.width = c.clientWidth * ratio;
    c.height = HEIGHT * ratio;
    const ctx = c.getContext('2d')!;
    ctx.scale(ratio, ratio);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.lineWidth = 2.5;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#111';
  }, []);

  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top] as const;
  };
  const emit = () => {
    const url = canvas.current!.toDataURL('image/png');
    onChange(drawn.current ? url.replace(/^data:image\/png;base64,/, '') : null);
  };
  const clear = () => {
    const c = canvas.current!;
    const ctx = c.getContext('2d')!;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.restore();
    drawn.current = false;
    onChange(null);
  };

  return (
    <div>
      <div style={{ color: '#8c8c8c', fontSize: 12, marginBottom: 4 }}>{t('sv.signHere')}</div>
      <canvas
        ref={canvas}
        data-testid="signature-pad"
        style={{
          width: '100%',
          height: HEIGHT,
          border: '1px dashed #bfbfbf',
          borderRadius: 6,
          touchAction: 'none',
          background: '#fff',
        }}
        onPointerDown={(e) => {
          drawing.current = true;
          e.currentTarget.setPointerCapture(e.pointerId);
          const [x, y] = point(e);
          const ctx = e.currentTarget.getContext('2d')!;
          ctx.beginPath();
          ctx.moveTo(x, y);
        }}
        onPointerMove={(e) => {
          if (!drawing.current) return;
          const [x, y] = point(e);
          const ctx = e.currentTarget.getContext('2d')!;
          ctx.lineTo(x, y);
          ctx.stroke();
          drawn.current = true;
        }}
        onPointerUp={() => {
          drawing.current = false;
          emit();
        }}
      />
      <Button size="small" type="link" onClick={clear} style={{ paddingLeft: 0 }}>
        {t('sv.clear')}
      </Button>
    </div>
  );
}
