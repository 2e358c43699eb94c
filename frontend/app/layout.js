import "./globals.css";

export const metadata = {
  title: "Todo",
  description: "Tasks, and an assistant that manages them",
};

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
