import { Cascader } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../../lib/api-client';

interface Region {
  code: string;
  name: string;
  level: number;
  parentCode: string | null;
}
interface Option {
  value: string;
  label: string;
  isLeaf: boolean;
  children?: Option[];
}

const toOption = (r: Region): Option => ({ value: r.code, label: r.name, isLeaf: r.level >= 4 });

/** Lazy GB/T 2260 picker starting at the caller's jurisdiction; selecting any level filters by it. */
export function RegionPicker({
  onChange,
  placeholder,
  style,
}: {
  onChange: (code: string | undefined) => void;
  placeholder?: string;
  style?: React.CSSProperties;
}) {
  const [options, setOptions] = useState<Option[]>([]);
  useEffect(() => {
    api.get<{ items: Region[] }>('/api/regions').then((r) => setOptions(r.items.map(toOption)));
  }, []);
  return (
    <Cascader<Option>
      options={options}
      placeholder={placeholder}
      changeOnSelect
      allowClear
      style={style}
      loadData={async (selected) => {
        const target = selected[selected.length - 1];
        const r = await api.get<{ items: Region[] }>('/api/regions', { parentCode: target.value });
        target.children = r.items.map(toOption);
        if (r.items.length === 0) target.isLeaf = true;
        setOptions((o) => [...o]);
      }}
      onChange={(value) =>
        onChange(value && value.length > 0 ? String(value[value.length - 1]) : undefined)
      }
    />
  );
}
