// Vite's client types: imports of CSS and assets (the pages are built by Vite).
/// <reference types="vite/client" />
