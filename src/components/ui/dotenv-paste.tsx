/** The text area where a `.env` file is pasted, with the lines it could not take listed below it. */
import { Textarea } from '@/components/ui/input';

export function DotenvPasteArea({
  text,
  onTextChange,
  errors,
}: {
  text: string;
  onTextChange: (text: string) => void;
  errors: readonly string[];
}) {
  return (
    <>
      <Textarea
        aria-label=".env file contents"
        placeholder={'API_URL=https://example.com\n# comments are ignored\nexport TOKEN="abc"'}
        value={text}
        onChange={(e) => onTextChange(e.target.value)}
      />
      {errors.length > 0 && (
        <ul className="text-xs text-destructive" role="alert">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
    </>
  );
}
