/** The web app's entry: styles, then the app into #app. */
import { render } from 'preact'
import './styles.css'
import { App } from './components/App.tsx'

render(<App />, document.getElementById('app')!)
