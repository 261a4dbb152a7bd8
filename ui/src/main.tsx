import { render } from 'preact'
render(<p>Bridgehead</p>, document.getElementById('app')!)
